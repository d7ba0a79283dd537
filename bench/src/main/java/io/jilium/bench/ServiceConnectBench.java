package io.jilium.bench;

import io.jilium.bpf.netns.NetworkNamespace;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection rate and connect latency to a list of targets, for bench/services-bench.sh. A listener
 * in each backend pod's namespace accepts and aborts; client threads inside the client pod's
 * namespace connect and abort (SO_LINGER 0) as fast as they can. The targets are measured in turn,
 * {@code --rounds} times (a, b, a, b, ...: each pair shares the machine's mood), each measurement
 * after its own warm-up.
 *
 * <p>Prints one line of {@code key=value} pairs per measurement: target, round, connections per
 * second, connect() latency percentiles in microseconds (every sample of the interval), failed
 * connects, the connections each backend accepted (shows the service spreading them), and how busy
 * the machine was.
 */
public final class ServiceConnectBench {
  private ServiceConnectBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a =
        BenchArgs.parse(args, List.of("client-netns", "backend-netns", "listen-port", "targets"));
    Path clientNs = Path.of(a.get("client-netns"));
    List<Path> backendNs = Arrays.stream(a.get("backend-netns").split(",")).map(Path::of).toList();
    int listenPort = Integer.parseInt(a.get("listen-port"));
    Map<String, List<InetSocketAddress>> targets = targets(a.get("targets"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    double seconds = Double.parseDouble(a.getOrDefault("seconds", "5"));
    double warmup = Double.parseDouble(a.getOrDefault("warmup", "1"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "4"));

    List<ServerSocketChannel> servers = new ArrayList<>();
    List<LongAdder> accepted = new ArrayList<>();
    for (Path ns : backendNs) {
      ServerSocketChannel s =
          NetworkNamespace.callIn(
              ns,
              () -> {
                ServerSocketChannel ch = ServerSocketChannel.open();
                ch.bind(new InetSocketAddress(listenPort), 4096);
                return ch;
              });
      LongAdder n = new LongAdder();
      servers.add(s);
      accepted.add(n);
      Thread.ofPlatform()
          .daemon(true)
          .name("accept-" + ns.getFileName())
          .start(() -> ConnectLoad.acceptLoop(s, n));
    }

    // the first measurement of a fresh JVM would also measure the JIT: load every target once
    double jitWarmup = Double.parseDouble(a.getOrDefault("jit-warmup", "3"));
    for (List<InetSocketAddress> t : targets.values()) {
      measure(clientNs, t, threads, jitWarmup / targets.size(), 0, accepted);
    }
    for (int r = 1; r <= rounds; r++) {
      for (Map.Entry<String, List<InetSocketAddress>> t : targets.entrySet()) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("target", t.getKey());
        out.put("round", r);
        out.putAll(measure(clientNs, t.getValue(), threads, warmup, seconds, accepted));
        StringBuilder line = new StringBuilder();
        out.forEach(
            (k, v) -> line.append(line.isEmpty() ? "" : " ").append(k).append('=').append(v));
        System.out.println(line);
      }
    }
    for (ServerSocketChannel s : servers) {
      s.close();
    }
  }

  private static Map<String, Object> measure(
      Path clientNs,
      List<InetSocketAddress> target,
      int threads,
      double warmup,
      double seconds,
      List<LongAdder> accepted)
      throws Exception {
    LongAdder connected = new LongAdder();
    LongAdder failed = new LongAdder();
    AtomicReference<String> failure = new AtomicReference<>();
    List<ConnectLoad.Latencies> latencies = new ArrayList<>();
    List<ConnectLoad.Client> clients = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      ConnectLoad.Latencies l = new ConnectLoad.Latencies();
      latencies.add(l);
      clients.add(new ConnectLoad.Client(target, connected, failed, failure, l));
    }
    // threads started inside the namespace stay there (NetworkNamespace.callIn)
    List<Thread> running =
        NetworkNamespace.callIn(
            clientNs,
            () -> {
              List<Thread> ts = new ArrayList<>();
              for (int i = 0; i < threads; i++) {
                ts.add(Thread.ofPlatform().daemon(true).name("client-" + i).start(clients.get(i)));
              }
              return ts;
            });
    Thread.sleep((long) (warmup * 1000));

    long[] acc0 = accepted.stream().mapToLong(LongAdder::sum).toArray();
    failure.set(null); // report a failure of the interval, not of the warm-up
    long failed0 = failed.sum();
    long[] cpu0 = ConnectLoad.machine();
    latencies.forEach(l -> l.recording = true);
    long t0 = System.nanoTime();
    long c0 = connected.sum();
    Thread.sleep((long) (seconds * 1000));
    long c1 = connected.sum();
    long t1 = System.nanoTime();
    latencies.forEach(l -> l.recording = false);
    long[] cpu1 = ConnectLoad.machine();
    long failed1 = failed.sum();
    long[] acc1 = accepted.stream().mapToLong(LongAdder::sum).toArray();

    clients.forEach(ConnectLoad.Client::stop);
    for (Thread t : running) {
      t.join();
    }

    double dt = (t1 - t0) / 1e9;
    long[] sorted = ConnectLoad.Latencies.sorted(latencies);
    Map<String, Object> out = new LinkedHashMap<>();
    StringBuilder addresses = new StringBuilder();
    for (InetSocketAddress t : target) {
      addresses.append(addresses.isEmpty() ? "" : "|");
      addresses.append(t.getAddress().getHostAddress()).append(':').append(t.getPort());
    }
    out.put("address", addresses);
    out.put("threads", threads);
    out.put("interval_s", String.format("%.3f", dt));
    out.put("conns", c1 - c0);
    out.put("conn_rate", String.format("%.0f", (c1 - c0) / dt));
    out.put("p50_us", micros(ConnectLoad.Latencies.quantile(sorted, 0.50)));
    out.put("p90_us", micros(ConnectLoad.Latencies.quantile(sorted, 0.90)));
    out.put("p99_us", micros(ConnectLoad.Latencies.quantile(sorted, 0.99)));
    out.put("p999_us", micros(ConnectLoad.Latencies.quantile(sorted, 0.999)));
    out.put("failed", failed1 - failed0);
    StringBuilder perBackend = new StringBuilder();
    for (int i = 0; i < acc0.length; i++) {
      perBackend.append(i == 0 ? "" : "/").append(acc1[i] - acc0[i]);
    }
    out.put("accepted", perBackend);
    long busy = cpu1[0] - cpu0[0];
    long total = busy + cpu1[1] - cpu0[1];
    out.put("machine_busy_pct", String.format("%.1f", 100.0 * busy / Math.max(1, total)));
    if (failed1 > failed0 && failure.get() != null) {
      out.put("first_failure", failure.get().replace(' ', '_'));
    }
    return out;
  }

  private static String micros(long nanos) {
    return String.format("%.1f", nanos / 1000.0);
  }

  /**
   * {@code name=ip:port[|ip:port...],...} in order; a target of several addresses is connected to
   * in turn (the direct baseline spreads over the backend pods as a service does).
   */
  private static Map<String, List<InetSocketAddress>> targets(String text) {
    Map<String, List<InetSocketAddress>> out = new LinkedHashMap<>();
    for (String item : text.split(",")) {
      int eq = item.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "--targets: \"" + item + "\" (expected: name=address:port[|address:port...])");
      }
      List<InetSocketAddress> addresses = new ArrayList<>();
      for (String a : item.substring(eq + 1).split("\\|")) {
        int colon = a.lastIndexOf(':');
        if (colon <= 0) {
          throw new IllegalArgumentException(
              "--targets: \"" + item + "\" (expected: name=address:port[|address:port...])");
        }
        addresses.add(
            new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
      }
      out.put(item.substring(0, eq), addresses);
    }
    return out;
  }
}
