package io.jilium.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.jilium.api.agent.v1.AgentGrpc;
import io.jilium.api.agent.v1.StatusRequest;
import io.jilium.api.agent.v1.StatusResponse;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.api.observer.GetFlowsResponse;
import io.jilium.api.observer.ObserverGrpc;
import io.jilium.api.observer.ServerStatusRequest;
import io.jilium.bpf.BpfMap;
import io.jilium.bpf.netns.NetworkNamespace;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * One round of the connection storm (bench/conn-storm-bench.sh): client threads inside the client
 * pod's namespace open TCP connections to a server inside the server pod's namespace and close them
 * at once with SO_LINGER 0 (an RST, so neither side keeps TIME_WAIT); the server accepts and aborts
 * the same way. With {@code --observe} a GetFlows follow subscriber on the agent socket counts the
 * flows it is handed. After a warm-up, one measured interval yields: connections per second, flows
 * processed by the agent (ServerStatus seen_flows) and delivered to the subscriber, the kernel's
 * lost-event counter, and CPU of the agent, of this process and of the machine.
 *
 * <p>Prints one line of {@code key=value} pairs on stdout.
 */
public final class ConnStormBench {
  private ConnStormBench() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a =
        BenchArgs.parse(
            args,
            List.of(
                "client-netns",
                "server-netns",
                "server-ip",
                "port",
                "agent-pid",
                "socket",
                "lost-events-map"));
    Path clientNs = Path.of(a.get("client-netns"));
    Path serverNs = Path.of(a.get("server-netns"));
    InetSocketAddress target =
        new InetSocketAddress(a.get("server-ip"), Integer.parseInt(a.get("port")));
    double seconds = Double.parseDouble(a.getOrDefault("seconds", "10"));
    double warmup = Double.parseDouble(a.getOrDefault("warmup", "5"));
    int threads = Integer.parseInt(a.getOrDefault("threads", "4"));
    int acceptors = Integer.parseInt(a.getOrDefault("acceptors", "1"));
    long agentPid = Long.parseLong(a.get("agent-pid"));
    BpfMap lostMap = BpfMap.openPinned(Path.of(a.get("lost-events-map")));
    boolean observe = Boolean.parseBoolean(a.getOrDefault("observe", "false"));
    int clkTck = Integer.parseInt(a.getOrDefault("clk-tck", "100"));

    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(a.get("socket")))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .maxInboundMessageSize(16 << 20)
            .build();
    AgentGrpc.AgentBlockingStub agent = AgentGrpc.newBlockingStub(ch);
    StatusCall statusBefore = StatusCall.time(agent);
    ObserverGrpc.ObserverBlockingStub status = ObserverGrpc.newBlockingStub(ch);

    ServerSocketChannel server =
        NetworkNamespace.callIn(
            serverNs,
            () -> {
              ServerSocketChannel s = ServerSocketChannel.open();
              s.bind(target, 4096);
              return s;
            });
    LongAdder accepted = new LongAdder();
    List<Thread> acceptThreads = new ArrayList<>();
    for (int i = 0; i < acceptors; i++) {
      acceptThreads.add(
          Thread.ofPlatform()
              .daemon(true)
              .name("storm-accept-" + i)
              .start(() -> ConnectLoad.acceptLoop(server, accepted)));
    }

    Subscriber sub = observe ? Subscriber.start(ObserverGrpc.newStub(ch)) : null;

    LongAdder connected = new LongAdder();
    Snapshot start = Snapshot.take(connected, sub, status, lostMap, agentPid);
    LongAdder failed = new LongAdder();
    AtomicReference<String> failure = new AtomicReference<>();
    ConnectLoad.Client loop = new ConnectLoad.Client(target, connected, failed, failure);
    // threads started inside the namespace stay there (NetworkNamespace.callIn)
    List<Thread> clients =
        NetworkNamespace.callIn(
            clientNs,
            () -> {
              List<Thread> ts = new ArrayList<>();
              for (int i = 0; i < threads; i++) {
                ts.add(Thread.ofPlatform().daemon(true).name("storm-client-" + i).start(loop));
              }
              return ts;
            });

    Thread.sleep((long) (warmup * 1000));
    Snapshot s0 = Snapshot.take(connected, sub, status, lostMap, agentPid);
    long end = s0.nanos + (long) (seconds * 1e9);
    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
    Snapshot s1 = Snapshot.take(connected, sub, status, lostMap, agentPid);

    StatusCall statusDuring = StatusCall.time(agent);
    loop.stop();
    for (Thread t : clients) {
      t.join();
    }
    // what the subscriber is still handed after the storm: wait until the stream is quiet
    long deliveredAfter = 0;
    if (sub != null) {
      long last = sub.flows.get();
      long quietSince = System.nanoTime();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(1000)
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
        long now = sub.flows.get();
        if (now != last) {
          last = now;
          quietSince = System.nanoTime();
        }
      }
      deliveredAfter = sub.flows.get() - s1.delivered;
    }
    Snapshot s2 = Snapshot.take(connected, sub, status, lostMap, agentPid);

    double dt = (s1.nanos - s0.nanos) / 1e9;
    long conns = s1.connected - s0.connected;
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("threads", threads);
    out.put("interval_s", String.format("%.3f", dt));
    out.put("conns", conns);
    out.put("conn_rate", String.format("%.0f", conns / dt));
    out.put("failed", failed.sum());
    out.put("accepted", accepted.sum());
    out.put("flows_processed", s1.seenFlows - s0.seenFlows);
    // what the datapath emitted per connection: what the agent read plus what did not fit
    out.put(
        "events_per_conn",
        String.format(
            "%.2f",
            (s1.seenFlows - s0.seenFlows + s1.lostKernel - s0.lostKernel) / (double) conns));
    out.put("flows_delivered", s1.delivered - s0.delivered);
    out.put("flows_delivered_after", deliveredAfter);
    // over the whole round (warm-up, interval, and the drain after the storm)
    out.put("flows_processed_round", s2.seenFlows - start.seenFlows);
    out.put("flows_delivered_round", s2.delivered - start.delivered);
    out.put("lost_notices_round", s2.lostNotices - start.lostNotices);
    out.put("lost_kernel", s1.lostKernel - s0.lostKernel);
    out.put("lost_kernel_round", s2.lostKernel - start.lostKernel);
    out.put(
        "agent_cpu_pct",
        String.format("%.1f", 100.0 * (s1.agentTicks - s0.agentTicks) / clkTck / dt));
    long flows = s1.seenFlows - s0.seenFlows;
    out.put(
        "agent_cpu_us_per_flow",
        flows == 0
            ? "-"
            : String.format("%.1f", 1e6 * (s1.agentTicks - s0.agentTicks) / clkTck / flows));
    // where the agent's CPU went: thread groups above 1% of a core
    StringBuilder byThread = new StringBuilder();
    s1.agentThreadTicks.entrySet().stream()
        .map(
            e ->
                Map.entry(
                    e.getKey(), e.getValue() - s0.agentThreadTicks.getOrDefault(e.getKey(), 0L)))
        .filter(e -> 100.0 * e.getValue() / clkTck / dt >= 1)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(
            e ->
                byThread
                    .append(byThread.isEmpty() ? "" : ",")
                    .append(e.getKey().replace(' ', '_'))
                    .append(':')
                    .append(String.format("%.1f", 100.0 * e.getValue() / clkTck / dt)));
    out.put("agent_threads_pct", byThread.isEmpty() ? "-" : byThread);
    out.put(
        "bench_cpu_pct",
        String.format("%.1f", 100.0 * (s1.selfTicks - s0.selfTicks) / clkTck / dt));
    long busy = s1.machineBusy - s0.machineBusy;
    long total = busy + s1.machineIdle - s0.machineIdle;
    out.put("machine_busy_pct", String.format("%.1f", 100.0 * busy / Math.max(1, total)));
    out.put("status_ms_idle", statusBefore.millis());
    out.put("status_ms_storm", statusDuring.millis());
    out.put("ct4_entries", statusDuring.ct4Entries());
    StringBuilder line = new StringBuilder();
    out.forEach((k, v) -> line.append(line.isEmpty() ? "" : " ").append(k).append('=').append(v));
    System.out.println(line);
    if (failure.get() != null) {
      System.err.println("first connection failure: " + failure.get());
    }

    if (sub != null) {
      sub.cancel();
    }
    server.close();
    lostMap.close();
    for (Thread t : acceptThreads) {
      t.join(1000);
    }
    ch.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
  }

  /** A GetFlows follow stream that counts what it is handed. */
  private static final class Subscriber
      implements ClientResponseObserver<GetFlowsRequest, GetFlowsResponse> {
    final AtomicLong flows = new AtomicLong();
    final AtomicLong lostNotices = new AtomicLong();
    private volatile ClientCallStreamObserver<GetFlowsRequest> call;

    static Subscriber start(ObserverGrpc.ObserverStub stub) {
      Subscriber s = new Subscriber();
      stub.getFlows(GetFlowsRequest.newBuilder().setFollow(true).build(), s);
      return s;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> requestStream) {
      this.call = requestStream;
    }

    @Override
    public void onNext(GetFlowsResponse r) {
      if (r.hasFlow()) {
        flows.incrementAndGet();
      } else if (r.hasLostEvents()) {
        lostNotices.addAndGet(r.getLostEvents().getNumEventsLost());
      }
    }

    @Override
    public void onError(Throwable t) {
      if (!(t instanceof io.grpc.StatusRuntimeException e)
          || e.getStatus().getCode() != io.grpc.Status.Code.CANCELLED) {
        System.err.println("GetFlows: " + t);
      }
    }

    @Override
    public void onCompleted() {}

    void cancel() {
      call.cancel("benchmark over", null);
    }
  }

  private record Snapshot(
      long nanos,
      long connected,
      long delivered,
      long lostNotices,
      long seenFlows,
      long lostKernel,
      long agentTicks,
      Map<String, Long> agentThreadTicks,
      long selfTicks,
      long machineBusy,
      long machineIdle) {
    /**
     * The counters at one instant: the local ones and the kernel's lost-event counter (read from
     * the pinned map, as the agent's status does) together, the agent's seen_flows right after.
     */
    static Snapshot take(
        LongAdder connected,
        Subscriber sub,
        ObserverGrpc.ObserverBlockingStub status,
        BpfMap lost,
        long agentPid)
        throws IOException {
      long t = System.nanoTime();
      long c = connected.sum();
      long lostKernel = sumPerCpu(lost);
      long delivered = sub == null ? 0 : sub.flows.get();
      long notices = sub == null ? 0 : sub.lostNotices.get();
      long agentTicks = ticks(Path.of("/proc/" + agentPid + "/stat"));
      Map<String, Long> threadTicks = threadTicks(agentPid);
      long selfTicks = ticks(Path.of("/proc/self/stat"));
      long[] machine = ConnectLoad.machine();
      long seen = status.serverStatus(ServerStatusRequest.getDefaultInstance()).getSeenFlows();
      return new Snapshot(
          t,
          c,
          delivered,
          notices,
          seen,
          lostKernel,
          agentTicks,
          threadTicks,
          selfTicks,
          machine[0],
          machine[1]);
    }
  }

  /** The sum over all CPUs of a one-entry per-CPU counter map (jl_lost_events). */
  private static long sumPerCpu(BpfMap map) {
    long[] total = {0};
    long slot = (map.valueSize() + 7) & ~7L; // per-CPU values are 8-byte aligned
    map.forEach(
        (k, v) -> {
          for (long off = 0; off + 8 <= v.byteSize(); off += slot) {
            total[0] += v.get(ValueLayout.JAVA_LONG, off);
          }
        });
    return total[0];
  }

  /** One agent Status call (jilium status): its wall time and the conntrack entries it counted. */
  private record StatusCall(long millis, long ct4Entries) {
    static StatusCall time(AgentGrpc.AgentBlockingStub agent) {
      long t0 = System.nanoTime();
      StatusResponse r = agent.status(StatusRequest.getDefaultInstance());
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      long ct4 =
          r.getMapsList().stream()
              .filter(m -> m.getName().equals("jl_ct4"))
              .mapToLong(m -> m.getEntries())
              .sum();
      return new StatusCall(millis, ct4);
    }
  }

  /** utime + stime of a process (all its threads), in clock ticks. */
  private static long ticks(Path statFile) throws IOException {
    return ticks(Files.readString(statFile));
  }

  /** utime + stime from the text of a stat file. */
  private static long ticks(String s) {
    // fields after the command name (which may contain spaces), from field 3 on
    String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * utime + stime of each thread of a process, summed by thread name without digits (so the threads
   * of one pool count together).
   */
  private static Map<String, Long> threadTicks(long pid) throws IOException {
    Map<String, Long> byName = new TreeMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        byName.merge(name.replaceAll("[0-9]+", "#"), ticks(stat), Long::sum);
      }
    }
    return byName;
  }
}
