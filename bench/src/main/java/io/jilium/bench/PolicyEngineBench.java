package io.jilium.bench;

import io.jilium.core.identity.Identity;
import io.jilium.core.policy.PolicyEngine;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Policy resolution at the scale of issue 3 (1,000 policies, 5,000 identities, 500 endpoints): full
 * resolution, and the incremental paths a new identity and a policy change take, measured as
 * sampled latencies (JMH reports p50/p99).
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgs = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class PolicyEngineBench {
  private PolicyWorkload workload;
  private PolicyEngine engine;
  private int nextIdentity;
  private int policyVariant;

  @Setup(Level.Trial)
  public void setUp() {
    workload = new PolicyWorkload(42);
    engine = workload.build();
    nextIdentity = 1_000_000;
  }

  /** Everything from scratch. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 1)
  @Measurement(iterations = 5)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public PolicyEngine fullResolution() {
    return workload.build();
  }

  /** A pod with a new label set appears (and is gone again, so the state stays the same size). */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int newIdentity() {
    int id = nextIdentity++;
    Identity i = new Identity(id, PolicyWorkload.labels(id % PolicyWorkload.NAMESPACES, id));
    int changed = engine.upsertIdentity(i).byEndpoint().size();
    engine.removeIdentity(id);
    return changed;
  }

  /** One policy changes (its ports move): the endpoints it selects are re-resolved. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public int policyChange() {
    int p = policyVariant % PolicyWorkload.POLICIES;
    policyVariant++;
    var origin = workload.origins.get(p);
    return engine
        .putRules(origin, List.of(workload.rule(origin, p, policyVariant)))
        .byEndpoint()
        .size();
  }
}
