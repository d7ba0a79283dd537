package io.jilium.bench;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Timestamp;
import io.jilium.api.flow.CiliumEventType;
import io.jilium.api.flow.DropReason;
import io.jilium.api.flow.Emitter;
import io.jilium.api.flow.Endpoint;
import io.jilium.api.flow.Ethernet;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.FlowType;
import io.jilium.api.flow.IP;
import io.jilium.api.flow.IPVersion;
import io.jilium.api.flow.Layer4;
import io.jilium.api.flow.NetworkInterface;
import io.jilium.api.flow.TCP;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TraceObservationPoint;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.Verdict;
import io.jilium.api.flow.Workload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Hubble flows as {@code hubble observe -o json} shows them for pod-to-pod TCP on a busy node:
 * every flow has its own time and UUID, Ethernet and IP addresses, TCP ports and flags, both
 * endpoints with id, identity, namespace, pod name, workload and the five labels Cilium attaches,
 * node name and labels, event type, direction, observation point and interface; one in twenty is a
 * policy drop. 500 pods in 50 namespaces, 2,000 connections with a skewed choice among them, 100
 * flows per second of flow time.
 */
public final class FlowWorkload {
  public static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");
  public static final long STEP_NANOS = 10_000_000; // 100 flows/s

  private static final int NAMESPACES = 50;
  private static final int PODS = 500;
  private static final int CONNECTIONS = 2_000;
  private static final TCPFlags[] FLAGS = {
    TCPFlags.newBuilder().setSYN(true).build(),
    TCPFlags.newBuilder().setSYN(true).setACK(true).build(),
    TCPFlags.newBuilder().setACK(true).build(),
    TCPFlags.newBuilder().setACK(true).setPSH(true).build(),
    TCPFlags.newBuilder().setACK(true).setPSH(true).build(),
    TCPFlags.newBuilder().setACK(true).build(),
    TCPFlags.newBuilder().setACK(true).setFIN(true).build(),
  };
  private static final String[] APPS = {
    "frontend", "cart", "checkout", "payment", "catalog", "search", "auth", "redis", "db", "queue"
  };

  private record Pod(Endpoint endpoint, String ip, String mac, int ifindex) {}

  private record Conn(Pod client, Pod server, int sport, int dport) {}

  private final Random rnd;
  private final List<Pod> pods = new ArrayList<>();
  private final List<Conn> conns = new ArrayList<>();
  private final List<String> nodeLabels =
      List.of(
          "beta.kubernetes.io/arch=amd64",
          "beta.kubernetes.io/os=linux",
          "kubernetes.io/arch=amd64",
          "kubernetes.io/hostname=worker-3",
          "kubernetes.io/os=linux");
  private final Emitter emitter =
      Emitter.newBuilder().setName("Jilium").setVersion("0.1.0").build();

  public FlowWorkload(long seed) {
    rnd = new Random(seed);
    for (int p = 0; p < PODS; p++) {
      String ns = "team-" + (p % NAMESPACES);
      String app = APPS[(p / NAMESPACES) % APPS.length];
      String pod =
          app
              + "-"
              + Integer.toHexString(0x7d9c8b6f + p)
              + "-"
              + Integer.toString(36 * 36 * 36 + p * 7, 36);
      Endpoint e =
          Endpoint.newBuilder()
              .setID(1000 + p)
              .setIdentity(256 + (p % 300) * 13)
              .setNamespace(ns)
              .setPodName(pod)
              .addLabels("k8s:app=" + app)
              .addLabels("k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=" + ns)
              .addLabels("k8s:io.cilium.k8s.policy.cluster=default")
              .addLabels("k8s:io.cilium.k8s.policy.serviceaccount=" + app)
              .addLabels("k8s:io.kubernetes.pod.namespace=" + ns)
              .addWorkloads(Workload.newBuilder().setName(app).setKind("Deployment"))
              .build();
      pods.add(
          new Pod(
              e,
              "10.244." + (p / 250) + "." + (p % 250 + 2),
              String.format("0a:58:0a:f4:%02x:%02x", p / 250, p % 250 + 2),
              10 + p));
    }
    for (int c = 0; c < CONNECTIONS; c++) {
      Pod client = pods.get(rnd.nextInt(PODS));
      Pod server = pods.get(rnd.nextInt(PODS));
      int dport = new int[] {80, 443, 8080, 6379, 5432, 9092}[rnd.nextInt(6)];
      conns.add(new Conn(client, server, 32768 + rnd.nextInt(28000), dport));
    }
  }

  /** Flow number {@code i}: flow time {@code T0 + i * 10 ms}. */
  public Flow flow(long i) {
    return flow(i, T0.plusNanos(i * STEP_NANOS));
  }

  public Flow flow(long i, Instant time) {
    // Skewed: a few connections carry most flows.
    int c = (int) Math.min(CONNECTIONS - 1, Math.abs(rnd.nextGaussian()) * CONNECTIONS / 4);
    Conn conn = conns.get(c);
    boolean reply = rnd.nextBoolean();
    Pod src = reply ? conn.server() : conn.client();
    Pod dst = reply ? conn.client() : conn.server();
    int sport = reply ? conn.dport() : conn.sport();
    int dport = reply ? conn.sport() : conn.dport();
    boolean drop = rnd.nextInt(20) == 0;
    Flow.Builder f =
        Flow.newBuilder()
            .setTime(
                Timestamp.newBuilder().setSeconds(time.getEpochSecond()).setNanos(time.getNano()))
            .setUuid(new UUID(rnd.nextLong(), rnd.nextLong()).toString())
            .setEmitter(emitter)
            .setVerdict(drop ? Verdict.DROPPED : Verdict.FORWARDED)
            .setEthernet(Ethernet.newBuilder().setSource(src.mac()).setDestination(dst.mac()))
            .setIP(
                IP.newBuilder()
                    .setSource(src.ip())
                    .setDestination(dst.ip())
                    .setIpVersion(IPVersion.IPv4))
            .setL4(
                Layer4.newBuilder()
                    .setTCP(
                        TCP.newBuilder()
                            .setSourcePort(sport)
                            .setDestinationPort(dport)
                            .setFlags(FLAGS[(int) (i % FLAGS.length)])))
            .setSource(src.endpoint())
            .setDestination(dst.endpoint())
            .setType(FlowType.L3_L4)
            .setNodeName("default/worker-3")
            .addAllNodeLabels(nodeLabels)
            .setTrafficDirection(reply ? TrafficDirection.INGRESS : TrafficDirection.EGRESS)
            .setIsReply(BoolValue.of(reply))
            .setInterface(
                NetworkInterface.newBuilder()
                    .setIndex(dst.ifindex())
                    .setName("lxc" + Integer.toHexString(0x1a2b3c4 + dst.ifindex())));
    if (drop) {
      f.setEventType(CiliumEventType.newBuilder().setType(1).setSubType(133))
          .setDropReasonDesc(DropReason.POLICY_DENIED);
    } else {
      f.setEventType(CiliumEventType.newBuilder().setType(4))
          .setTraceObservationPoint(TraceObservationPoint.TO_ENDPOINT);
    }
    return f.build();
  }
}
