package io.jilium.agent.observer;

import com.google.protobuf.BoolValue;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.jilium.api.flow.CiliumEventType;
import io.jilium.api.flow.DropReason;
import io.jilium.api.flow.Endpoint;
import io.jilium.api.flow.Ethernet;
import io.jilium.api.flow.FileInfo;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.FlowType;
import io.jilium.api.flow.ICMPv4;
import io.jilium.api.flow.ICMPv6;
import io.jilium.api.flow.IP;
import io.jilium.api.flow.IPVersion;
import io.jilium.api.flow.Layer4;
import io.jilium.api.flow.NetworkInterface;
import io.jilium.api.flow.Policy;
import io.jilium.api.flow.Service;
import io.jilium.api.flow.TCP;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TraceObservationPoint;
import io.jilium.api.flow.TraceReason;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.UDP;
import io.jilium.api.flow.Verdict;
import io.jilium.core.flow.DropNotification;
import io.jilium.core.flow.PacketSummary;
import io.jilium.core.policy.Direction;
import io.jilium.core.policy.EndpointPolicy;
import io.jilium.core.policy.PolicyLookup;
import io.jilium.core.policy.RuleOrigin;
import io.jilium.core.policy.RuleRef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns one datapath notification (bpf/lib/maps.h: drop_notify, trace_notify,
 * policy_verdict_notify) into a Hubble {@code flow.Flow}: verdict, packet headers, both endpoints
 * with identity, namespace, pod and labels, observation point, direction, reply, match type and,
 * for policy verdicts and policy denials, the policies that decided. One thread at a time: the
 * readers of the flow ring decode under its monitor ({@link FlowEvent}).
 *
 * <p>The parts of a flow that depend only on the published directory (both endpoints with their
 * labels, the interface, the deciding policies) are immutable messages built once per directory
 * snapshot and shared by the flows that name them: a connection storm decodes hundreds of thousands
 * of events a second, and what each flow allocates is what the monitor thread's young collections
 * cost.
 */
public final class FlowDecoder {
  public static final int TYPE_DROP = 1;
  public static final int TYPE_TRACE = 4;
  public static final int TYPE_POLICY_VERDICT = 5;

  /** Bytes before the captured packet in every notification. */
  static final int HEADER = 48;

  private static final int TRACE_TO_LXC = 0;
  private static final int TRACE_REASON_REPLY = 2;
  private static final int TRACE_REASON_UNKNOWN = 0x7f;
  private static final int DIR_INGRESS = 1;
  private static final int DROP_POLICY_DENY = 181;

  private static final HexFormat MAC = HexFormat.ofDelimiter(":");
  private static final TCPFlags[] TCP_FLAGS = new TCPFlags[256];

  static {
    for (int v = 0; v < TCP_FLAGS.length; v++) {
      TCP_FLAGS[v] = buildTcpFlags(v);
    }
  }

  private static final BoolValue TRUE = BoolValue.of(true);
  private static final BoolValue FALSE = BoolValue.of(false);

  /** A cache keyed by packet fields is dropped when it grows past this (they can be many). */
  private static final int MAX_CACHED = 16_384;

  private final Supplier<ObserverDirectory> directory;
  private final long monotonicToWallNanos;

  // messages built from cachedFor, the directory they were built from. Their text is held as UTF-8
  // bytes: a message built once is serialized for every flow that shares it, and protobuf encodes
  // a String field again on every write
  private ObserverDirectory cachedFor;
  private ByteString nodeName = ByteString.EMPTY;
  private final Map<ObserverDirectory.EndpointView, Endpoint> localEndpoints =
      new IdentityHashMap<>();
  private final Map<Integer, Endpoint> remoteEndpoints = new HashMap<>();
  private final Map<Long, NetworkInterface> interfaces = new HashMap<>();
  private final Map<LookupKey, List<Policy>> lookups = new HashMap<>();
  private final CiliumEventType[] eventTypes = new CiliumEventType[8 * 256];
  // address pairs: the same few conversations fill most flows
  private final Map<MacPair, Ethernet> ethernets = new HashMap<>();
  private final Map<IpPair, IP> ips = new HashMap<>();

  private record LookupKey(int endpointId, int remote, Direction d, int proto, int port) {}

  private record MacPair(long source, long destination) {}

  private record IpPair(String source, String destination, int version) {}

  /**
   * @param directory the latest published snapshot
   * @param monotonicToWallNanos added to the datapath's CLOCK_MONOTONIC time for wall time
   */
  public FlowDecoder(Supplier<ObserverDirectory> directory, long monotonicToWallNanos) {
    this.directory = directory;
    this.monotonicToWallNanos = monotonicToWallNanos;
  }

  /** Whether {@code r} is a notification this decoder turns into a flow. */
  public static boolean isFlowRecord(byte[] r) {
    if (r.length < HEADER) {
      return false;
    }
    int type = r[0] & 0xff;
    return type == TYPE_DROP || type == TYPE_TRACE || type == TYPE_POLICY_VERDICT;
  }

  /** The latest published directory, the one a record read now is decoded against. */
  public ObserverDirectory currentDirectory() {
    return directory.get();
  }

  /** The wall-clock time of a flow record, in nanoseconds since the epoch. */
  public long wallNanos(byte[] r) {
    return ByteBuffer.wrap(r).order(ByteOrder.nativeOrder()).getLong(40) + monotonicToWallNanos;
  }

  /** The flow of one notification against the latest directory, or null for another type. */
  public Flow decode(byte[] r) {
    return decode(r, directory.get());
  }

  /**
   * The flow of one notification, with the endpoints, policies and services of {@code dir} (the
   * directory published when the record was read), or null for a record of another type.
   */
  public Flow decode(byte[] r, ObserverDirectory dir) {
    if (!isFlowRecord(r)) {
      return null;
    }
    int type = r[0] & 0xff;
    ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.nativeOrder());
    if (dir != cachedFor) {
      localEndpoints.clear();
      remoteEndpoints.clear();
      interfaces.clear();
      lookups.clear();
      cachedFor = dir;
      nodeName = utf8(dir.nodeName());
    }
    int sub = r[1] & 0xff;
    int source = b.getShort(2) & 0xffff;
    int capLen = Math.min(b.getShort(12) & 0xffff, r.length - HEADER);
    int ifindex = type == TYPE_DROP ? b.getInt(32) : b.getInt(type == TYPE_TRACE ? 28 : 32);
    long ktime = b.getLong(40);
    PacketSummary p = PacketSummary.parse(r, HEADER, capLen);

    Flow.Builder f =
        Flow.newBuilder()
            .setTime(timestamp(ktime + monotonicToWallNanos))
            .setUuid(uuid())
            .setType(FlowType.L3_L4)
            .setNodeNameBytes(nodeName)
            .setEventType(eventType(type, sub));
    ObserverDirectory.EndpointView local = dir.endpointsById().get(source);
    f.setInterface(networkInterface(local, ifindex));
    if (capLen >= 12) {
      f.setEthernet(ethernet(r));
    }
    packet(f, p);

    int srcIdentity;
    int dstIdentity;
    switch (type) {
      case TYPE_DROP -> {
        srcIdentity = b.getInt(16);
        dstIdentity = b.getInt(20);
        int dirByte = r[36] & 0xff;
        f.setVerdict(Verdict.DROPPED)
            .setDropReason(sub)
            .setDropReasonDescValue(sub)
            .setExtError(r[31])
            .setTrafficDirection(
                dirByte == DIR_INGRESS ? TrafficDirection.INGRESS : TrafficDirection.EGRESS)
            .setFile(
                FileInfo.newBuilder()
                    .setName(DropNotification.fileName(r[30] & 0xff))
                    .setLine(b.getShort(28) & 0xffff));
        if (sub == DROP_POLICY_DENY && local != null && p.isKnown()) {
          Direction d = dirByte == DIR_INGRESS ? Direction.INGRESS : Direction.EGRESS;
          int remote = d == Direction.INGRESS ? srcIdentity : dstIdentity;
          List<Policy> by = policies(local.id(), remote, d, p);
          if (d == Direction.INGRESS) {
            f.addAllIngressDeniedBy(by);
          } else {
            f.addAllEgressDeniedBy(by);
          }
        }
      }
      case TYPE_TRACE -> {
        srcIdentity = b.getInt(16);
        dstIdentity = b.getInt(20);
        int reason = r[26] & 0xff;
        boolean known = reason != TRACE_REASON_UNKNOWN;
        boolean reply = isReplyTrace(r);
        f.setVerdict(Verdict.FORWARDED)
            .setTraceObservationPoint(observationPoint(sub))
            .setTraceReason(
                known ? TraceReason.forNumber(reason + 1) : TraceReason.TRACE_REASON_UNKNOWN);
        if (known) {
          f.setIsReply(reply ? TRUE : FALSE).setReply(reply);
        }
        boolean towardsPod = sub == TRACE_TO_LXC;
        // the direction of the connection, seen from the endpoint: replies run against it
        f.setTrafficDirection(
            towardsPod != reply ? TrafficDirection.INGRESS : TrafficDirection.EGRESS);
      }
      default -> { // policy verdict
        int remote = b.getInt(16);
        int verdict = b.getInt(20);
        int dirByte = r[27] & 0xff;
        int match = r[28] & 0xff;
        Direction d = dirByte == DIR_INGRESS ? Direction.INGRESS : Direction.EGRESS;
        int own = local == null ? 0 : local.identity();
        srcIdentity = d == Direction.INGRESS ? remote : own;
        dstIdentity = d == Direction.INGRESS ? own : remote;
        f.setVerdict(verdict(r))
            .setPolicyMatchType(match)
            .setTrafficDirection(
                d == Direction.INGRESS ? TrafficDirection.INGRESS : TrafficDirection.EGRESS)
            .setIsReply(FALSE);
        if (verdict < 0) {
          f.setDropReason(-verdict).setDropReasonDescValue(-verdict);
        }
        if (local != null && p.isKnown()) {
          List<Policy> by = policies(local.id(), remote, d, p);
          if (verdict < 0) {
            if (d == Direction.INGRESS) {
              f.addAllIngressDeniedBy(by);
            } else {
              f.addAllEgressDeniedBy(by);
            }
          } else if (d == Direction.INGRESS) {
            f.addAllIngressAllowedBy(by);
          } else {
            f.addAllEgressAllowedBy(by);
          }
        }
      }
    }
    f.setSource(endpoint(p.source(), srcIdentity));
    f.setDestination(endpoint(p.destination(), dstIdentity));
    if (p.isKnown() && (p.protocol() == 6 || p.protocol() == 17)) {
      // as Hubble does: the service whose frontend an end's address and port are (before
      // translation, or a reply after reverse NAT)
      Service from = dir.serviceAt(p.source(), p.sourcePort());
      if (from != null) {
        f.setSourceService(from);
      }
      Service to = dir.serviceAt(p.destination(), p.destinationPort());
      if (to != null) {
        f.setDestinationService(to);
      }
    }
    return f.build();
  }

  private Ethernet ethernet(byte[] r) {
    return cached(
        ethernets,
        new MacPair(macBits(r, HEADER + 6), macBits(r, HEADER)),
        k ->
            Ethernet.newBuilder()
                .setSourceBytes(utf8(mac(k.source())))
                .setDestinationBytes(utf8(mac(k.destination())))
                .build());
  }

  private static long macBits(byte[] r, int off) {
    long v = 0;
    for (int i = 0; i < 6; i++) {
      v = v << 8 | (r[off + i] & 0xff);
    }
    return v;
  }

  /** The cached value of {@code key}, built on a miss; a full cache starts over. */
  private static <K, V> V cached(Map<K, V> cache, K key, Function<K, V> build) {
    V v = cache.get(key);
    if (v == null) {
      if (cache.size() >= MAX_CACHED) {
        cache.clear();
      }
      v = build.apply(key);
      cache.put(key, v);
    }
    return v;
  }

  private void packet(Flow.Builder f, PacketSummary p) {
    if (!p.isKnown()) {
      return;
    }
    f.setIP(
        cached(
            ips,
            new IpPair(p.source(), p.destination(), p.ipVersion()),
            k ->
                IP.newBuilder()
                    .setSourceBytes(utf8(k.source()))
                    .setDestinationBytes(utf8(k.destination()))
                    .setIpVersion(k.version() == 4 ? IPVersion.IPv4 : IPVersion.IPv6)
                    .build()));
    Layer4.Builder l4 = Layer4.newBuilder();
    switch (p.protocol()) {
      case 6 ->
          l4.setTCP(
              TCP.newBuilder()
                  .setSourcePort(p.sourcePort())
                  .setDestinationPort(p.destinationPort())
                  .setFlags(tcpFlags(p.tcpFlags())));
      case 17 ->
          l4.setUDP(
              UDP.newBuilder()
                  .setSourcePort(p.sourcePort())
                  .setDestinationPort(p.destinationPort()));
      case 1 -> l4.setICMPv4(ICMPv4.newBuilder().setType(p.icmpType()).setCode(p.icmpCode()));
      case 58 -> l4.setICMPv6(ICMPv6.newBuilder().setType(p.icmpType()).setCode(p.icmpCode()));
      default -> {
        return;
      }
    }
    f.setL4(l4);
  }

  static TCPFlags tcpFlags(int v) {
    return TCP_FLAGS[v & 0xff];
  }

  private static TCPFlags buildTcpFlags(int v) {
    return TCPFlags.newBuilder()
        .setFIN((v & PacketSummary.TCP_FIN) != 0)
        .setSYN((v & PacketSummary.TCP_SYN) != 0)
        .setRST((v & PacketSummary.TCP_RST) != 0)
        .setPSH((v & PacketSummary.TCP_PSH) != 0)
        .setACK((v & PacketSummary.TCP_ACK) != 0)
        .setURG((v & PacketSummary.TCP_URG) != 0)
        .setECE((v & PacketSummary.TCP_ECE) != 0)
        .setCWR((v & PacketSummary.TCP_CWR) != 0)
        .build();
  }

  private CiliumEventType eventType(int type, int sub) {
    int i = (type & 7) << 8 | sub;
    CiliumEventType t = eventTypes[i];
    if (t == null) {
      t = CiliumEventType.newBuilder().setType(type).setSubType(sub).build();
      eventTypes[i] = t;
    }
    return t;
  }

  private NetworkInterface networkInterface(ObserverDirectory.EndpointView local, int ifindex) {
    boolean named = local != null && local.hostIfIndex() == ifindex;
    // only the endpoint whose host interface it is names an interface: the index says which
    long key = (ifindex & 0xffffffffL) << 1 | (named ? 1 : 0);
    NetworkInterface n = interfaces.get(key);
    if (n == null) {
      NetworkInterface.Builder b = NetworkInterface.newBuilder().setIndex(ifindex);
      if (named) {
        b.setNameBytes(utf8(local.hostIfName()));
      }
      n = b.build();
      interfaces.put(key, n);
    }
    return n;
  }

  /** A local endpoint by address, else the identity the datapath resolved with its labels. */
  private Endpoint endpoint(String ip, int identity) {
    ObserverDirectory.EndpointView ep = ip.isEmpty() ? null : cachedFor.endpointsByIp().get(ip);
    if (ep != null) {
      return localEndpoints.computeIfAbsent(
          ep,
          v ->
              withLabels(
                      Endpoint.newBuilder()
                          .setID(v.id())
                          .setIdentity(v.identity())
                          .setNamespaceBytes(utf8(v.namespace()))
                          .setPodNameBytes(utf8(v.podName())),
                      v.labels())
                  .build());
    }
    return remoteEndpoints.computeIfAbsent(
        identity,
        id -> withLabels(Endpoint.newBuilder().setIdentity(id), cachedFor.labelsOf(id)).build());
  }

  /** The policies behind the verdict the datapath reached, as the agent's lookup finds them. */
  private List<Policy> policies(int endpointId, int remote, Direction d, PacketSummary p) {
    int port = p.protocol() == 1 || p.protocol() == 58 ? p.icmpType() << 8 : p.destinationPort();
    ObserverDirectory dir = cachedFor;
    return cached(
        lookups, new LookupKey(endpointId, remote, d, p.protocol(), port), k -> lookup(dir, k));
  }

  private static List<Policy> lookup(ObserverDirectory dir, LookupKey k) {
    EndpointPolicy policy = dir.policies().get(k.endpointId());
    if (policy == null) {
      return List.of();
    }
    PolicyLookup.Result r = PolicyLookup.decide(policy, k.remote(), k.d(), k.proto(), k.port());
    Set<RuleOrigin> origins = new TreeSet<>();
    for (RuleRef ref : r.rules()) {
      origins.add(ref.origin());
    }
    return origins.stream().map(FlowDecoder::policy).toList();
  }

  private static Policy policy(RuleOrigin o) {
    Policy.Builder b =
        Policy.newBuilder().setKindBytes(utf8(o.kind())).setNameBytes(utf8(o.name()));
    if (o.namespace() != null) {
      b.setNamespaceBytes(utf8(o.namespace()));
    }
    return b.build();
  }

  /** The verdict of a flow record: drops drop, traces forward, policy verdicts say. */
  static Verdict verdict(byte[] r) {
    return switch (r[0] & 0xff) {
      case TYPE_DROP -> Verdict.DROPPED;
      case TYPE_TRACE -> Verdict.FORWARDED;
      default -> {
        boolean audited = r[29] != 0;
        int verdict = ByteBuffer.wrap(r).order(ByteOrder.nativeOrder()).getInt(20);
        yield audited ? Verdict.AUDIT : verdict < 0 ? Verdict.DROPPED : Verdict.FORWARDED;
      }
    };
  }

  /** Whether a trace record is of a reply (its connection's reverse direction). */
  static boolean isReplyTrace(byte[] r) {
    return (r[0] & 0xff) == TYPE_TRACE && (r[26] & 0xff) == TRACE_REASON_REPLY;
  }

  /** The captured packet's headers of a flow record, without its addresses. */
  static PacketSummary packetHeaders(byte[] r) {
    int capLen =
        Math.min(
            ByteBuffer.wrap(r).order(ByteOrder.nativeOrder()).getShort(12) & 0xffff,
            r.length - HEADER);
    return PacketSummary.parseHeaders(r, HEADER, capLen);
  }

  static TraceObservationPoint observationPoint(int sub) {
    return switch (sub) {
      case TRACE_TO_LXC -> TraceObservationPoint.TO_ENDPOINT;
      default -> {
        TraceObservationPoint p = TraceObservationPoint.forNumber(sub);
        yield p == null ? TraceObservationPoint.UNKNOWN_POINT : p;
      }
    };
  }

  private static String mac(long bits) {
    return MAC.formatHex(
        new byte[] {
          (byte) (bits >> 40),
          (byte) (bits >> 32),
          (byte) (bits >> 24),
          (byte) (bits >> 16),
          (byte) (bits >> 8),
          (byte) bits
        });
  }

  private static ByteString utf8(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static Endpoint.Builder withLabels(Endpoint.Builder b, List<String> labels) {
    for (String l : labels) {
      b.addLabelsBytes(utf8(l));
    }
    return b;
  }

  static Timestamp timestamp(long nanos) {
    return Timestamp.newBuilder()
        .setSeconds(Math.floorDiv(nanos, 1_000_000_000L))
        .setNanos((int) Math.floorMod(nanos, 1_000_000_000L))
        .build();
  }

  private static String uuid() {
    ThreadLocalRandom rnd = ThreadLocalRandom.current();
    long hi = (rnd.nextLong() & ~0xf000L) | 0x4000L; // version 4
    long lo = (rnd.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L; // IETF variant
    return new UUID(hi, lo).toString();
  }

  /** The reason of a drop as Hubble names it (flow.DropReason), for messages and metrics. */
  public static String dropReasonName(int reason) {
    DropReason r = DropReason.forNumber(reason);
    return r == null ? "UNKNOWN(" + reason + ")" : r.name();
  }
}
