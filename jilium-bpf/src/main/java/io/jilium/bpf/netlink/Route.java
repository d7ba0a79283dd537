package io.jilium.bpf.netlink;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A unicast route ({@code struct rtmsg} plus {@code RTA_*} attributes).
 *
 * <p>Build one with {@link #link} (directly on a device, scope link) or {@link #via} (through a
 * gateway), then adjust with the {@code with...} methods. Routes Jilium installs carry protocol
 * {@link #PROTOCOL_JILIUM} so that they can be told apart from, and never confused with, routes
 * installed by the kernel ({@code proto kernel}), the admin ({@code proto static}, {@code boot}) or
 * routing daemons.
 *
 * @param destination the prefix; 0.0.0.0/0 or ::/0 for the default route
 * @param gateway {@code RTA_GATEWAY}, absent for a directly connected destination
 * @param outputIndex {@code RTA_OIF}: the ifindex of the output device, 0 for none
 * @param scope {@code rtm_scope}: {@link Scope#LINK} without a gateway, {@link Scope#UNIVERSE} with
 * @param table the routing table, {@link #TABLE_MAIN} by default
 * @param protocol {@code rtm_protocol}, {@link #PROTOCOL_JILIUM} by default
 * @param flags {@code rtm_flags}: {@link #RTNH_F_ONLINK}
 * @param metric {@code RTA_PRIORITY}; 0 lets the kernel choose (IPv6 uses 1024) and, when deleting,
 *     matches any
 */
public record Route(
    IpPrefix destination,
    Optional<InetAddress> gateway,
    int outputIndex,
    Scope scope,
    int table,
    int protocol,
    int flags,
    int metric) {
  /** {@code RT_TABLE_MAIN}. */
  public static final int TABLE_MAIN = 254;

  /** {@code RT_TABLE_LOCAL}. */
  public static final int TABLE_LOCAL = 255;

  /** {@code RTPROT_KERNEL}: routes the kernel adds for addresses. */
  public static final int PROTOCOL_KERNEL = 2;

  /** {@code RTPROT_BOOT}: the default of {@code ip route add}. */
  public static final int PROTOCOL_BOOT = 3;

  /** {@code RTPROT_STATIC}. */
  public static final int PROTOCOL_STATIC = 4;

  /**
   * Routes installed by Jilium. Values above {@code RTPROT_STATIC} are not interpreted by the
   * kernel; 40 is not assigned in iproute2's {@code rt_protos}, so {@code ip route} shows it as
   * {@code proto 40}.
   */
  public static final int PROTOCOL_JILIUM = 40;

  /** {@code RTNH_F_ONLINK}: the gateway is on the link even if no prefix says so. */
  public static final int RTNH_F_ONLINK = 4;

  public Route {
    Objects.requireNonNull(destination, "destination");
    Objects.requireNonNull(gateway, "gateway");
    Objects.requireNonNull(scope, "scope");
    if (gateway.isPresent() && InetAddresses.family(gateway.get()) != destination.family()) {
      throw new IllegalArgumentException(
          "route "
              + destination
              + ": gateway "
              + gateway.get().getHostAddress()
              + " (expected: same address family as the destination)");
    }
    if (outputIndex < 0) {
      throw new IllegalArgumentException(
          "route " + destination + ": output ifindex " + outputIndex + " (expected: >= 0)");
    }
    if (table == 0) {
      throw new IllegalArgumentException(
          "route "
              + destination
              + ": table "
              + Integer.toUnsignedString(table)
              + " (expected: 1-4294967295)");
    }
    if (protocol < 0 || protocol > 255) {
      throw new IllegalArgumentException(
          "route " + destination + ": protocol " + protocol + " (expected: 0-255)");
    }
  }

  /** {@code destination dev outputIndex scope link}: a directly reachable destination. */
  public static Route link(IpPrefix destination, int outputIndex) {
    return new Route(
        destination, Optional.empty(), outputIndex, Scope.LINK, TABLE_MAIN, PROTOCOL_JILIUM, 0, 0);
  }

  /** {@code destination via gateway dev outputIndex}; {@code outputIndex} 0 for any device. */
  public static Route via(IpPrefix destination, InetAddress gateway, int outputIndex) {
    return new Route(
        destination,
        Optional.of(gateway),
        outputIndex,
        Scope.UNIVERSE,
        TABLE_MAIN,
        PROTOCOL_JILIUM,
        0,
        0);
  }

  /** This route with {@link #RTNH_F_ONLINK}: the gateway needs no route of its own. */
  public Route withOnLink() {
    return new Route(
        destination, gateway, outputIndex, scope, table, protocol, flags | RTNH_F_ONLINK, metric);
  }

  /** This route in routing table {@code table}. */
  public Route withTable(int table) {
    return new Route(destination, gateway, outputIndex, scope, table, protocol, flags, metric);
  }

  /** This route with protocol {@code protocol}. */
  public Route withProtocol(int protocol) {
    return new Route(destination, gateway, outputIndex, scope, table, protocol, flags, metric);
  }

  /** This route with metric {@code metric}. */
  public Route withMetric(int metric) {
    return new Route(destination, gateway, outputIndex, scope, table, protocol, flags, metric);
  }

  /** Whether {@link #RTNH_F_ONLINK} is set. */
  public boolean onLink() {
    return (flags & RTNH_F_ONLINK) != 0;
  }

  /** Like {@code ip route}: {@code 0.0.0.0/0 via 169.254.1.1 dev 5 onlink table 254 proto 40}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(destination.toString());
    gateway.ifPresent(g -> b.append(" via ").append(g.getHostAddress()));
    if (outputIndex != 0) {
      b.append(" dev ").append(outputIndex);
    }
    if (onLink()) {
      b.append(" onlink");
    }
    b.append(" scope ").append(scope.name().toLowerCase(java.util.Locale.ROOT));
    b.append(" table ").append(Integer.toUnsignedString(table));
    b.append(" proto ").append(protocol);
    if (metric != 0) {
      b.append(" metric ").append(Integer.toUnsignedString(metric));
    }
    return b.toString();
  }
}
