package io.jilium.bench;

import io.jilium.agent.observer.store.FlowStore;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Queries over a store of 1,000,000 realistic flows (100 flows/s of flow time, so 2 h 47 min),
 * written with the default limits, closed and reopened before measuring. The files are in the page
 * cache (they were just written), so this measures the store's own work, not the disk.
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgs = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class FlowStoreQueryBench {
  public static final int FLOWS = 1_000_000;

  @Param({"DEFLATE", "NONE"})
  public FlowStore.Compression compression;

  private Path dir;
  private FlowStore store;
  private Instant end;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("jilium-flow-query-bench");
    FlowStore.Limits limits = FlowStore.Limits.defaults().withCompression(compression);
    FlowWorkload w = new FlowWorkload(42);
    try (FlowStore s = FlowStore.open(dir, limits)) {
      for (int i = 0; i < FLOWS; i++) {
        s.append(w.flow(i));
        if (i % 1_000 == 999) {
          s.flush(); // keep pace with the I/O thread, so that nothing is dropped
        }
      }
    }
    end = FlowWorkload.T0.plusNanos((FLOWS - 1) * FlowWorkload.STEP_NANOS);
    store = FlowStore.open(dir, limits);
    FlowStore.Stats st = store.stats();
    System.out.printf(
        "%n[store] %,d flows, %,d bytes in %d segments (%.1f bytes/flow)%n",
        st.flowsStored(),
        st.bytesOnDisk(),
        st.segments(),
        (double) st.bytesOnDisk() / st.flowsStored());
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    FlowStoreAppendBench.deleteTree(dir);
  }

  /** {@code jilium observe --since 1m} on a full store: 6,000 flows. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public long lastMinute() {
    long[] n = {0};
    store.read(end.minusSeconds(60), end, f -> ++n[0] > 0);
    return n[0];
  }

  /** The same range, keeping only drops (the filter runs on decoded flows). */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public long lastMinuteDrops() {
    long[] n = {0};
    store.read(
        end.minusSeconds(60),
        end,
        f -> {
          if (f.getVerdict() == Verdict.DROPPED) {
            n[0]++;
          }
          return true;
        });
    return n[0];
  }

  /** {@code jilium observe --last 100}. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public List<Flow> newest100() {
    return store.readNewest(100, Instant.EPOCH, Instant.MAX, f -> true);
  }

  /** Every flow in the store, decoded. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @Warmup(iterations = 2)
  @Measurement(iterations = 5)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public long fullScan() {
    long[] n = {0};
    store.read(Instant.EPOCH, Instant.MAX, f -> ++n[0] > 0);
    if (n[0] != FLOWS) {
      throw new IllegalStateException("full scan found " + n[0] + " flows");
    }
    return n[0];
  }
}
