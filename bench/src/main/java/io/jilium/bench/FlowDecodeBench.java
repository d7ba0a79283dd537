package io.jilium.bench;

import io.jilium.agent.observer.FlowDecoder;
import io.jilium.agent.observer.FlowObserver;
import io.jilium.agent.observer.FlowRing;
import io.jilium.agent.observer.HubbleMetrics;
import io.jilium.agent.observer.ObserverDirectory;
import io.jilium.api.flow.Flow;
import io.jilium.api.observer.GetFlowsResponse;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Datapath events decoded per second on one thread, from recorded event bytes as the kernel writes
 * them (bpf/lib/maps.h): 80% traces, 10% policy verdicts, 10% drops, IPv4 TCP between 500 local
 * endpoints. {@code decode}: the record into a {@code flow.Flow} with both endpoints named (what
 * the first reader of a flow pays); {@code pipeline}: what the monitor thread does per record,
 * Hubble metrics from the bytes and the ring buffer (flows are decoded when read).
 */
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgs = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Threads(1)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FlowDecodeBench {
  private static final int ENDPOINTS = 500;
  private static final int RECORDS = 4096;

  private byte[][] records;
  private FlowDecoder decoder;
  private FlowObserver observer;
  private int next;

  @Setup
  public void setUp() {
    Map<Integer, ObserverDirectory.EndpointView> byId = new HashMap<>();
    Map<String, ObserverDirectory.EndpointView> byIp = new HashMap<>();
    Map<Integer, List<String>> labels = new HashMap<>();
    for (int i = 1; i <= ENDPOINTS; i++) {
      int identity = 256 + i;
      List<String> l =
          List.of(
              "k8s:app=app-" + (i % 50),
              "k8s:io.kubernetes.pod.namespace=ns-" + (i % 10),
              "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=ns-" + (i % 10));
      ObserverDirectory.EndpointView v =
          new ObserverDirectory.EndpointView(
              i, identity, "ns-" + (i % 10), "pod-" + i, l, "lxc" + i, 1000 + i);
      byId.put(i, v);
      byIp.put(ip(i), v);
      labels.put(identity, l);
    }
    ObserverDirectory dir = new ObserverDirectory("bench-node", byId, byIp, labels, Map.of());
    decoder = new FlowDecoder(() -> dir, 0);
    observer =
        new FlowObserver(
            decoder, new FlowRing(4095), "bench-node", new HubbleMetrics(new PrometheusRegistry()));
    Random rnd = new Random(7);
    records = new byte[RECORDS][];
    for (int r = 0; r < RECORDS; r++) {
      int src = 1 + rnd.nextInt(ENDPOINTS);
      int dst = 1 + rnd.nextInt(ENDPOINTS);
      int kind = rnd.nextInt(10);
      int type =
          kind < 8
              ? FlowDecoder.TYPE_TRACE
              : kind == 8 ? FlowDecoder.TYPE_POLICY_VERDICT : FlowDecoder.TYPE_DROP;
      records[r] = record(type, src, dst, rnd);
    }
  }

  /** A notification as the datapath writes it: 48-byte header, then the packet's first bytes. */
  static byte[] record(int type, int src, int dst, Random rnd) {
    byte[] pkt =
        tcpPacket(src, dst, 30000 + rnd.nextInt(30000), 80, rnd.nextBoolean() ? 0x02 : 0x12);
    ByteBuffer b = ByteBuffer.allocate(48 + pkt.length).order(ByteOrder.nativeOrder());
    b.put(0, (byte) type);
    b.putShort(2, (short) dst);
    b.putInt(4, rnd.nextInt());
    b.putInt(8, pkt.length);
    b.putShort(12, (short) pkt.length);
    b.putShort(14, (short) 1);
    switch (type) {
      case FlowDecoder.TYPE_TRACE -> {
        b.put(1, (byte) 0); // to-endpoint
        b.putInt(16, 256 + src);
        b.putInt(20, 256 + dst);
        b.putShort(24, (short) dst);
        b.put(26, (byte) 0); // new
        b.putInt(28, 1000 + dst);
      }
      case FlowDecoder.TYPE_POLICY_VERDICT -> {
        b.putInt(16, 256 + src);
        b.putInt(20, 0);
        b.putShort(24, (short) 80);
        b.put(26, (byte) 6);
        b.put(27, (byte) 1); // ingress
        b.put(28, (byte) 2); // L3-L4
        b.putInt(32, 1000 + dst);
      }
      default -> {
        b.put(1, (byte) 133);
        b.putInt(16, 256 + src);
        b.putInt(20, 256 + dst);
        b.putInt(24, dst);
        b.putShort(28, (short) 120);
        b.put(30, (byte) 123);
        b.putInt(32, 1000 + dst);
        b.put(36, (byte) 1);
      }
    }
    b.putLong(40, System.nanoTime());
    b.position(48);
    b.put(pkt);
    return b.array();
  }

  private static byte[] tcpPacket(int src, int dst, int sport, int dport, int flags) {
    ByteBuffer p = ByteBuffer.allocate(14 + 20 + 20).order(ByteOrder.BIG_ENDIAN);
    p.put(new byte[] {2, 0, 0, 0, 0, (byte) dst, 2, 0, 0, 0, 0, (byte) src});
    p.putShort((short) 0x0800);
    p.put((byte) 0x45).put((byte) 0).putShort((short) 40).putInt(0).put((byte) 64).put((byte) 6);
    p.putShort((short) 0);
    p.put(addr(src)).put(addr(dst));
    p.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0);
    p.put((byte) 0x50).put((byte) flags).putShort((short) 65535).putInt(0);
    return p.array();
  }

  private static byte[] addr(int i) {
    return new byte[] {10, 0, (byte) (i >> 8), (byte) i};
  }

  private static String ip(int i) {
    return "10.0." + ((i >> 8) & 0xff) + "." + (i & 0xff);
  }

  @Benchmark
  public Flow decode() {
    return decoder.decode(records[next++ & (RECORDS - 1)]);
  }

  /** What a follower pays per flow it sends: the decode and the message's serialization. */
  @Benchmark
  public int serialize() {
    Flow f = decoder.decode(records[next++ & (RECORDS - 1)]);
    GetFlowsResponse r =
        GetFlowsResponse.newBuilder()
            .setFlow(f)
            .setNodeName("bench-node")
            .setTime(f.getTime())
            .build();
    return r.toByteArray().length;
  }

  @Benchmark
  public long pipeline() {
    observer.onRecord(records[next++ & (RECORDS - 1)]);
    return observer.seenFlows();
  }
}
