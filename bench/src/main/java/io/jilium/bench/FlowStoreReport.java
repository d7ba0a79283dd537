package io.jilium.bench;

import com.google.protobuf.Timestamp;
import io.jilium.agent.observer.store.FlowStore;
import io.jilium.api.flow.Flow;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Numbers JMH does not give: CPU time per appended flow on the writer thread and on the store's I/O
 * thread (thread CPU time, so other load on the machine does not inflate it), bytes per flow on
 * disk, and the time to open a full store. Run for each compression setting.
 */
public final class FlowStoreReport {
  private FlowStoreReport() {}

  private static final int DISTINCT = 1 << 16;
  private static final int WARMUP = 2_000_000;
  private static final int MEASURED = 2_000_000;

  public static void main(String[] args) throws IOException {
    FlowWorkload w = new FlowWorkload(42);
    Flow[] flows = new Flow[DISTINCT];
    long rawBytes = 0;
    for (int i = 0; i < DISTINCT; i++) {
      flows[i] = w.flow(i);
      rawBytes += flows[i].getSerializedSize();
    }
    System.out.printf("typical flow: %.0f bytes serialized%n", rawBytes / (double) DISTINCT);
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    for (FlowStore.Compression c : FlowStore.Compression.values()) {
      Path dir = Files.createTempDirectory("jilium-flow-report");
      FlowStore.Limits limits = FlowStore.Limits.defaults().withCompression(c);
      try (FlowStore store = FlowStore.open(dir, limits)) {
        Thread io = ioThread();
        long i = 0;
        for (; i < WARMUP; i++) {
          appendFresh(store, flows, i);
          if (i % 1_000 == 999) {
            store.flush();
          }
        }
        store.flush();
        long dropped0 = store.stats().flowsDropped();
        long w0 = mx.getCurrentThreadCpuTime();
        long io0 = mx.getThreadCpuTime(io.threadId());
        long t0 = System.nanoTime();
        for (; i < WARMUP + MEASURED; i++) {
          appendFresh(store, flows, i);
          if (i % 1_000 == 999) {
            store.flush(); // nothing dropped: the I/O thread's full cost is counted
          }
        }
        store.flush();
        long t1 = System.nanoTime();
        long w1 = mx.getCurrentThreadCpuTime();
        long io1 = mx.getThreadCpuTime(io.threadId());
        double writerNs = (w1 - w0) / (double) MEASURED;
        double ioNs = (io1 - io0) / (double) MEASURED;
        FlowStore.Stats s = store.stats();
        System.out.printf(
            "%s: writer thread %.0f ns/flow, I/O thread %.0f ns/flow, together %.0f ns/flow"
                + " = %,.0f flows/s per core; wall %,.0f flows/s; %.1f bytes/flow on disk;"
                + " dropped %d%n",
            c,
            writerNs,
            ioNs,
            writerNs + ioNs,
            1e9 / (writerNs + ioNs),
            MEASURED * 1e9 / (t1 - t0),
            (double) s.bytesOnDisk() / s.flowsStored(),
            s.flowsDropped() - dropped0);
      }
      long o0 = System.nanoTime();
      try (FlowStore store = FlowStore.open(dir, limits)) {
        long o1 = System.nanoTime();
        FlowStore.Stats s = store.stats();
        System.out.printf(
            "%s: open a store of %,d flows in %d segments (%,d bytes): %.1f ms%n",
            c, s.flowsStored(), s.segments(), s.bytesOnDisk(), (o1 - o0) / 1e6);
        long[] n = {0};
        long r0 = System.nanoTime();
        store.read(Instant.EPOCH, Instant.MAX, f -> ++n[0] > 0);
        long r1 = System.nanoTime();
        System.out.printf(
            "%s: full scan %,d flows in %.0f ms (%,.0f flows/s)%n",
            c, n[0], (r1 - r0) / 1e6, n[0] * 1e9 / (r1 - r0));
      }
      FlowStoreAppendBench.deleteTree(dir);
    }
  }

  private static void appendFresh(FlowStore store, Flow[] flows, long i) {
    Flow f = flows[(int) (i & (DISTINCT - 1))];
    store.append(
        f.toBuilder()
            .setTime(
                Timestamp.newBuilder()
                    .setSeconds(1_800_000_000L + i / 100_000)
                    .setNanos((int) (i % 100_000) * 10_000))
            .build());
  }

  private static Thread ioThread() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("jilium-flow-store"))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no jilium-flow-store thread"));
  }
}
