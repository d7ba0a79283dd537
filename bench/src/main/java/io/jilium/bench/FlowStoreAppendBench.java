package io.jilium.bench;

import com.google.protobuf.Timestamp;
import io.jilium.agent.observer.store.FlowStore;
import io.jilium.api.flow.Flow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Append throughput of the flow store on one writer thread, in flows per second, with the store's
 * default limits (1 GiB cap, 64 MiB segments, 64 KiB blocks): the store fills, rotates and deletes
 * its oldest segments during the run, and the flush thread runs as in the agent. Each appended flow
 * is a fresh message (a realistic flow with a new time), so its serialized size is computed as the
 * agent's would be.
 */
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgs = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 5)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FlowStoreAppendBench {
  private static final int DISTINCT = 1 << 16;
  private static final int BATCH = 1_000;

  @Param({"DEFLATE", "NONE"})
  public FlowStore.Compression compression;

  private Path dir;
  private FlowStore store;
  private Flow[] flows;
  private long n;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    FlowWorkload w = new FlowWorkload(42);
    flows = new Flow[DISTINCT];
    for (int i = 0; i < DISTINCT; i++) {
      flows[i] = w.flow(i);
    }
    dir = Files.createTempDirectory("jilium-flow-bench");
    store = FlowStore.open(dir, FlowStore.Limits.defaults().withCompression(compression));
  }

  @Benchmark
  public void append() {
    appendOne();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void appendAndFlush() {
    for (int k = 0; k < BATCH; k++) {
      appendOne();
    }
    store.flush();
  }

  private void appendOne() {
    long i = n++;
    Flow f = flows[(int) (i & (DISTINCT - 1))];
    store.append(
        f.toBuilder()
            .setTime(
                Timestamp.newBuilder()
                    .setSeconds(1_800_000_000L + i / 100_000)
                    .setNanos((int) (i % 100_000) * 10_000))
            .build());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    FlowStore.Stats s = store.stats();
    store.close();
    System.out.printf(
        "%n[store] appended %,d flows, %,d on disk in %d segments, %.1f bytes/flow, dropped %,d%n",
        s.flowsAppended(),
        s.flowsStored(),
        s.segments(),
        (double) s.bytesOnDisk() / Math.max(1, s.flowsStored()),
        s.flowsDropped());
    deleteTree(dir);
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
