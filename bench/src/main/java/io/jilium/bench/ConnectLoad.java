package io.jilium.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * The connection load the connection benchmarks share (ConnStormBench, ServiceConnectBench): client
 * loops that open a TCP connection and abort it at once with SO_LINGER 0 (an RST, so neither side
 * keeps TIME_WAIT and the ephemeral ports never run out), an accept loop that aborts the same way,
 * and the machine's CPU counters.
 */
final class ConnectLoad {
  private ConnectLoad() {}

  /** Accepts and aborts until the listener is closed. */
  static void acceptLoop(ServerSocketChannel server, LongAdder accepted) {
    while (true) {
      try (SocketChannel c = server.accept()) {
        c.setOption(StandardSocketOptions.SO_LINGER, 0);
        accepted.increment();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        // a connection reset before it was accepted: nothing to abort
      }
    }
  }

  /**
   * Connects and aborts, over and over, until stopped; one instance per thread when latencies are
   * recorded (the recorder is not shared).
   */
  static final class Client implements Runnable {
    private final List<InetSocketAddress> targets;
    private final LongAdder connected;
    private final LongAdder failed;
    private final AtomicReference<String> failure;
    private final Latencies latencies;
    private volatile boolean running = true;

    /** A client without latency recording (several threads may run the same instance). */
    Client(
        InetSocketAddress target,
        LongAdder connected,
        LongAdder failed,
        AtomicReference<String> failure) {
      this(target, connected, failed, failure, null);
    }

    Client(
        InetSocketAddress target,
        LongAdder connected,
        LongAdder failed,
        AtomicReference<String> failure,
        Latencies latencies) {
      this(List.of(target), connected, failed, failure, latencies);
    }

    /** A client that connects to {@code targets} in turn, one after the other. */
    Client(
        List<InetSocketAddress> targets,
        LongAdder connected,
        LongAdder failed,
        AtomicReference<String> failure,
        Latencies latencies) {
      this.targets = List.copyOf(targets);
      this.connected = connected;
      this.failed = failed;
      this.failure = failure;
      this.latencies = latencies;
    }

    void stop() {
      running = false;
    }

    @Override
    public void run() {
      int next = 0;
      while (running) {
        InetSocketAddress target = targets.get(next);
        next = next + 1 == targets.size() ? 0 : next + 1;
        try (SocketChannel c = SocketChannel.open()) {
          c.setOption(StandardSocketOptions.SO_LINGER, 0);
          long t0 = System.nanoTime();
          c.connect(target);
          long t1 = System.nanoTime();
          connected.increment();
          if (latencies != null) {
            latencies.record(t1 - t0);
          }
        } catch (IOException e) {
          failed.increment();
          failure.compareAndSet(null, e.toString());
        }
      }
    }
  }

  /**
   * Connect times of one client thread (nanoseconds), kept only while {@link #recording} is on:
   * every sample, so percentiles are exact.
   */
  static final class Latencies {
    private long[] samples = new long[1 << 16];
    private int count;
    volatile boolean recording;

    void record(long nanos) {
      if (!recording) {
        return;
      }
      if (count == samples.length) {
        samples = Arrays.copyOf(samples, count * 2);
      }
      samples[count++] = nanos;
    }

    /** All samples of the given recorders, sorted (read after their threads ended). */
    static long[] sorted(Iterable<Latencies> all) {
      int n = 0;
      for (Latencies l : all) {
        n += l.count;
      }
      long[] out = new long[n];
      int off = 0;
      for (Latencies l : all) {
        System.arraycopy(l.samples, 0, out, off, l.count);
        off += l.count;
      }
      Arrays.sort(out);
      return out;
    }

    /** The q-quantile (0..1) of sorted samples, nearest rank; 0 without samples. */
    static long quantile(long[] sorted, double q) {
      if (sorted.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(q * sorted.length);
      return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }
  }

  /** Busy and idle (idle + iowait) ticks of all CPUs. */
  static long[] machine() throws IOException {
    String cpu = Files.readAllLines(Path.of("/proc/stat")).getFirst();
    String[] f = cpu.trim().split("\\s+");
    long busy = 0;
    long idle = 0;
    for (int i = 1; i < Math.min(f.length, 9); i++) {
      long v = Long.parseLong(f[i]);
      if (i == 4 || i == 5) {
        idle += v;
      } else {
        busy += v;
      }
    }
    return new long[] {busy, idle};
  }
}
