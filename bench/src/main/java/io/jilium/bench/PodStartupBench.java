package io.jilium.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.jilium.api.agent.v1.AgentGrpc;
import io.jilium.api.agent.v1.Pod;
import io.jilium.api.agent.v1.PodRef;
import io.jilium.api.agent.v1.PodRunRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Time from the pod-run API call until the pod answers a ping from the host, and agent RSS idle and
 * with N pods. Usage: PodStartupBench SOCKET AGENT_PID N
 */
public final class PodStartupBench {
  private PodStartupBench() {}

  public static void main(String[] args) throws Exception {
    Path socket = Path.of(args[0]);
    long agentPid = Long.parseLong(args[1]);
    int n = Integer.parseInt(args[2]);
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
    AgentGrpc.AgentBlockingStub agent = AgentGrpc.newBlockingStub(ch);
    long rssIdle = rssKib(agentPid);
    List<Double> apiMs = new ArrayList<>();
    List<Double> reachableMs = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        long t0 = System.nanoTime();
        Pod p =
            agent.podRun(
                PodRunRequest.newBuilder()
                    .setNamespace("bench")
                    .setName("p" + i)
                    .putLabels("app", "bench")
                    .build());
        long t1 = System.nanoTime();
        waitReachable(p.getIpv4());
        long t2 = System.nanoTime();
        apiMs.add((t1 - t0) / 1e6);
        reachableMs.add((t2 - t0) / 1e6);
      }
      long rssLoaded = rssKib(agentPid);
      System.out.printf("pods=%d%n", n);
      System.out.printf("pod_run_api_ms median=%.1f p90=%.1f%n", pct(apiMs, 50), pct(apiMs, 90));
      System.out.printf(
          "pod_reachable_ms median=%.1f p90=%.1f max=%.1f%n",
          pct(reachableMs, 50), pct(reachableMs, 90), pct(reachableMs, 100));
      System.out.printf(
          "agent_rss_mib idle=%.1f with_%d_pods=%.1f%n", rssIdle / 1024.0, n, rssLoaded / 1024.0);
    } finally {
      for (int i = 0; i < n; i++) {
        try {
          agent.podDelete(PodRef.newBuilder().setNamespace("bench").setName("p" + i).build());
        } catch (RuntimeException e) {
          // not created
        }
      }
      ch.shutdownNow();
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }
  }

  /** Pings from the host until a reply arrives (each attempt waits at most 100 ms). */
  private static void waitReachable(String ip) throws IOException, InterruptedException {
    for (int attempt = 0; attempt < 200; attempt++) {
      Process p =
          new ProcessBuilder("ping", "-c1", "-W0.1", "-i0.01", ip)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (p.waitFor() == 0) {
        return;
      }
    }
    throw new IllegalStateException(ip + " never answered");
  }

  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static double pct(List<Double> v, int p) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int idx = (int) Math.ceil(p / 100.0 * s.size()) - 1;
    return s.get(Math.max(0, Math.min(s.size() - 1, idx)));
  }
}
