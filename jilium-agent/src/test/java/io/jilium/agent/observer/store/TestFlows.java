package io.jilium.agent.observer.store;

import com.google.protobuf.Timestamp;
import io.jilium.api.flow.Endpoint;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.FlowType;
import io.jilium.api.flow.IP;
import io.jilium.api.flow.IPVersion;
import io.jilium.api.flow.Layer4;
import io.jilium.api.flow.TCP;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Flows that carry their sequence number (in {@code uuid}), for checking order and content. */
final class TestFlows {
  private TestFlows() {}

  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");

  static Flow flow(long i, Instant time) {
    return Flow.newBuilder()
        .setTime(ts(time))
        .setUuid("flow-" + i)
        .setType(FlowType.L3_L4)
        .setNodeName("node-1")
        .setVerdict(i % 10 == 0 ? Verdict.DROPPED : Verdict.FORWARDED)
        .setTrafficDirection(i % 2 == 0 ? TrafficDirection.EGRESS : TrafficDirection.INGRESS)
        .setIP(
            IP.newBuilder()
                .setSource("10.0.1." + (i % 250))
                .setDestination("10.0.2.7")
                .setIpVersion(IPVersion.IPv4))
        .setL4(
            Layer4.newBuilder()
                .setTCP(
                    TCP.newBuilder()
                        .setSourcePort(30000 + (int) (i % 30000))
                        .setDestinationPort(8080)
                        .setFlags(TCPFlags.newBuilder().setACK(true).setPSH(i % 3 == 0))))
        .setSource(
            Endpoint.newBuilder()
                .setIdentity(256 + (int) (i % 5))
                .setNamespace("shop")
                .setPodName("client-" + (i % 7))
                .addLabels("k8s:app=client")
                .addLabels("k8s:io.kubernetes.pod.namespace=shop"))
        .setDestination(
            Endpoint.newBuilder()
                .setIdentity(300)
                .setNamespace("shop")
                .setPodName("server-0")
                .addLabels("k8s:app=server"))
        .build();
  }

  /** Flow {@code i} at {@code T0 + i * stepMillis}. */
  static Flow flowAt(long i, long stepMillis) {
    return flow(i, T0.plusMillis(i * stepMillis));
  }

  static List<Flow> flows(long from, long to, long stepMillis) {
    List<Flow> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(flowAt(i, stepMillis));
    }
    return out;
  }

  static long id(Flow f) {
    return Long.parseLong(f.getUuid().substring("flow-".length()));
  }

  static Instant time(Flow f) {
    return Instant.ofEpochSecond(f.getTime().getSeconds(), f.getTime().getNanos());
  }

  static Timestamp ts(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  static List<Flow> readAll(FlowStore store) {
    List<Flow> out = new ArrayList<>();
    store.read(Instant.EPOCH, Instant.MAX, out::add);
    return out;
  }

  static List<Long> ids(List<Flow> flows) {
    return flows.stream().map(TestFlows::id).toList();
  }

  static List<Path> segmentFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".flows")).sorted().toList();
    }
  }

  /** A copy of the store's files as a crash would leave them (the store stays open). */
  static void copyAsCrashed(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    for (Path p : segmentFiles(from)) {
      Files.copy(p, to.resolve(p.getFileName()));
    }
  }
}
