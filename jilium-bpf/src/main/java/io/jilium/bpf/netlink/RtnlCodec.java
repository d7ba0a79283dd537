package io.jilium.bpf.netlink;

import static io.jilium.bpf.netlink.Rtnl.*;

import io.jilium.bpf.sys.ErrnoException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * The rtnetlink requests Jilium sends and the objects it reads back: pure functions between records
 * and messages, so that each can be checked byte by byte without a kernel.
 */
final class RtnlCodec {
  private static final int AF_UNSPEC = 0;
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;
  private static final int REQ = NLM_F_REQUEST | NLM_F_ACK;

  private RtnlCodec() {}

  // ------------------------------------------------------------------ links

  static NetlinkEncoder getLink(String name) {
    return new NetlinkEncoder(RTM_GETLINK, REQ)
        .ifinfomsg(AF_UNSPEC, 0, 0, 0, 0)
        .attrString(IFLA_IFNAME, name);
  }

  static NetlinkEncoder getLink(int index) {
    return new NetlinkEncoder(RTM_GETLINK, REQ).ifinfomsg(AF_UNSPEC, 0, index, 0, 0);
  }

  static NetlinkEncoder dumpLinks() {
    return new NetlinkEncoder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP)
        .ifinfomsg(AF_UNSPEC, 0, 0, 0, 0);
  }

  /**
   * {@code ip link add HOST [mtu M] [address A] type veth peer name PEER [mtu M] [address B] netns
   * FD}: the peer's ifinfomsg and attributes go in IFLA_LINKINFO / IFLA_INFO_DATA / VETH_INFO_PEER;
   * {@code peerNetnsFd} < 0 leaves the peer in the socket's namespace.
   */
  static NetlinkEncoder newVeth(
      String hostName,
      String peerName,
      int peerNetnsFd,
      int mtu,
      MacAddress hostMac,
      MacAddress peerMac) {
    NetlinkEncoder e =
        new NetlinkEncoder(RTM_NEWLINK, REQ | NLM_F_CREATE | NLM_F_EXCL)
            .ifinfomsg(AF_UNSPEC, 0, 0, 0, 0)
            .attrString(IFLA_IFNAME, hostName);
    if (mtu > 0) {
      e.attrU32(IFLA_MTU, mtu);
    }
    if (hostMac != null) {
      e.attr(IFLA_ADDRESS, hostMac.bytes());
    }
    int linkInfo = e.beginNested(IFLA_LINKINFO);
    e.attrString(IFLA_INFO_KIND, "veth");
    int data = e.beginNested(IFLA_INFO_DATA);
    int peer = e.beginNested(VETH_INFO_PEER);
    e.ifinfomsg(AF_UNSPEC, 0, 0, 0, 0).attrString(IFLA_IFNAME, peerName);
    if (mtu > 0) {
      e.attrU32(IFLA_MTU, mtu);
    }
    if (peerMac != null) {
      e.attr(IFLA_ADDRESS, peerMac.bytes());
    }
    if (peerNetnsFd >= 0) {
      e.attrU32(IFLA_NET_NS_FD, peerNetnsFd);
    }
    return e.endNested(peer).endNested(data).endNested(linkInfo);
  }

  /** Changes flags under {@code change}, the MTU (if > 0) and the MAC (if non-null) of a link. */
  static NetlinkEncoder setLink(int index, int flags, int change, int mtu, MacAddress mac) {
    NetlinkEncoder e =
        new NetlinkEncoder(RTM_NEWLINK, REQ).ifinfomsg(AF_UNSPEC, 0, index, flags, change);
    if (mtu > 0) {
      e.attrU32(IFLA_MTU, mtu);
    }
    if (mac != null) {
      e.attr(IFLA_ADDRESS, mac.bytes());
    }
    return e;
  }

  static NetlinkEncoder deleteLink(String name) {
    return new NetlinkEncoder(RTM_DELLINK, REQ)
        .ifinfomsg(AF_UNSPEC, 0, 0, 0, 0)
        .attrString(IFLA_IFNAME, name);
  }

  static NetlinkEncoder deleteLink(int index) {
    return new NetlinkEncoder(RTM_DELLINK, REQ).ifinfomsg(AF_UNSPEC, 0, index, 0, 0);
  }

  static Link decodeLink(NetlinkMessage m) {
    ByteBuffer p = m.payload();
    int index = p.getInt(4);
    int flags = p.getInt(8);
    Attributes a = m.attributes(IFINFOMSG_LEN);
    Optional<MacAddress> mac = a.bytes(IFLA_ADDRESS).filter(b -> b.length == 6).map(MacAddress::of);
    Optional<String> kind = a.nested(IFLA_LINKINFO).flatMap(info -> info.string(IFLA_INFO_KIND));
    return new Link(
        index,
        a.string(IFLA_IFNAME).orElse(""),
        mac,
        a.u32(IFLA_MTU, 0),
        flags,
        kind,
        a.u32(IFLA_LINK, 0));
  }

  // ------------------------------------------------------------------ addresses

  /**
   * {@code ip address replace ADDRESS/LEN dev IFINDEX [nodad]}: IPv4 carries IFA_LOCAL and
   * IFA_ADDRESS (equal, not point-to-point), IPv6 IFA_ADDRESS; flags beyond 8 bits need IFA_FLAGS,
   * which the kernel reads for both.
   */
  static NetlinkEncoder newAddress(
      int ifindex, InetAddress address, int prefixLength, int flags, int scope) {
    int family = InetAddresses.family(address);
    NetlinkEncoder e =
        new NetlinkEncoder(RTM_NEWADDR, REQ | NLM_F_CREATE | NLM_F_REPLACE)
            .ifaddrmsg(family, prefixLength, flags & 0xFF, scope, ifindex);
    if (family == AF_INET) {
      e.attr(IFA_LOCAL, address.getAddress());
    }
    e.attr(IFA_ADDRESS, address.getAddress());
    if (flags != 0) {
      e.attrU32(IFA_FLAGS, flags);
    }
    return e;
  }

  static NetlinkEncoder deleteAddress(int ifindex, InetAddress address, int prefixLength) {
    int family = InetAddresses.family(address);
    NetlinkEncoder e =
        new NetlinkEncoder(RTM_DELADDR, REQ).ifaddrmsg(family, prefixLength, 0, 0, ifindex);
    if (family == AF_INET) {
      e.attr(IFA_LOCAL, address.getAddress());
    }
    return e.attr(IFA_ADDRESS, address.getAddress());
  }

  static NetlinkEncoder dumpAddresses() {
    return new NetlinkEncoder(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP)
        .ifaddrmsg(AF_UNSPEC, 0, 0, 0, 0);
  }

  /** The address in an RTM_NEWADDR, or empty for a family other than IPv4 and IPv6. */
  static Optional<Address> decodeAddress(NetlinkMessage m) {
    ByteBuffer p = m.payload();
    int family = Byte.toUnsignedInt(p.get(0));
    if (family != AF_INET && family != AF_INET6) {
      return Optional.empty();
    }
    int prefixLength = Byte.toUnsignedInt(p.get(1));
    int flags = Byte.toUnsignedInt(p.get(2));
    int scope = Byte.toUnsignedInt(p.get(3));
    int index = p.getInt(4);
    Attributes a = m.attributes(IFADDRMSG_LEN);
    Optional<byte[]> bytes = a.bytes(IFA_LOCAL).or(() -> a.bytes(IFA_ADDRESS));
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Address(
            index,
            InetAddresses.fromBytes(bytes.get()),
            prefixLength,
            Scope.of(scope),
            a.u32(IFA_FLAGS, flags)));
  }

  // ------------------------------------------------------------------ routes

  /**
   * RTM_NEWROUTE (with {@code NLM_F_CREATE | NLM_F_REPLACE}) or RTM_DELROUTE for {@code route}.
   * Deleting uses scope NOWHERE, the kernel's wildcard, as {@code ip route del} does.
   */
  static NetlinkEncoder route(int type, int flags, Route route) {
    IpPrefix dst = route.destination();
    int table = route.table();
    boolean delete = type == RTM_DELROUTE;
    NetlinkEncoder e =
        new NetlinkEncoder(type, REQ | flags)
            .rtmsg(
                dst.family(),
                dst.length(),
                Integer.compareUnsigned(table, 256) < 0 ? table : 0,
                route.protocol(),
                delete ? Scope.NOWHERE.value() : route.scope().value(),
                RTN_UNICAST,
                route.flags());
    if (dst.length() > 0) {
      e.attr(RTA_DST, dst.address().getAddress());
    }
    route.gateway().ifPresent(g -> e.attr(RTA_GATEWAY, g.getAddress()));
    if (route.outputIndex() != 0) {
      e.attrU32(RTA_OIF, route.outputIndex());
    }
    e.attrU32(RTA_TABLE, table);
    if (route.metric() != 0) {
      e.attrU32(RTA_PRIORITY, route.metric());
    }
    return e;
  }

  static NetlinkEncoder dumpRoutes(int family) {
    return new NetlinkEncoder(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP)
        .rtmsg(family, 0, 0, 0, 0, 0, 0);
  }

  /**
   * The route in an RTM_NEWROUTE if it is a unicast route of {@code table} (not a cached clone, not
   * local, broadcast, multicast, blackhole...), else empty.
   */
  static Optional<Route> decodeRoute(NetlinkMessage m, int table) {
    ByteBuffer p = m.payload();
    int family = Byte.toUnsignedInt(p.get(0));
    int dstLength = Byte.toUnsignedInt(p.get(1));
    int protocol = Byte.toUnsignedInt(p.get(5));
    int scope = Byte.toUnsignedInt(p.get(6));
    int routeType = Byte.toUnsignedInt(p.get(7));
    int flags = p.getInt(8);
    Attributes a = m.attributes(RTMSG_LEN);
    int routeTable = a.u32(RTA_TABLE, Byte.toUnsignedInt(p.get(4)));
    if ((family != AF_INET && family != AF_INET6)
        || routeType != RTN_UNICAST
        || (flags & RTM_F_CLONED) != 0
        || routeTable != table) {
      return Optional.empty();
    }
    byte[] dst = a.bytes(RTA_DST).orElse(new byte[family == AF_INET ? 4 : 16]);
    return Optional.of(
        new Route(
            new IpPrefix(InetAddresses.fromBytes(dst), dstLength),
            a.bytes(RTA_GATEWAY).map(InetAddresses::fromBytes),
            a.u32(RTA_OIF, 0),
            Scope.of(scope),
            routeTable,
            protocol,
            flags & ~RTM_F_CLONED & 0xFF,
            a.u32(RTA_PRIORITY, 0)));
  }

  // ------------------------------------------------------------------ neighbours

  /** {@code ip neigh replace IP lladdr MAC dev IFINDEX nud permanent|reachable}. */
  static NetlinkEncoder newNeighbor(
      int ifindex, InetAddress ip, MacAddress mac, boolean permanent) {
    return new NetlinkEncoder(RTM_NEWNEIGH, REQ | NLM_F_CREATE | NLM_F_REPLACE)
        .ndmsg(InetAddresses.family(ip), ifindex, permanent ? NUD_PERMANENT : NUD_REACHABLE, 0, 0)
        .attr(NDA_DST, ip.getAddress())
        .attr(NDA_LLADDR, mac.bytes());
  }

  static NetlinkEncoder deleteNeighbor(int ifindex, InetAddress ip) {
    return new NetlinkEncoder(RTM_DELNEIGH, REQ)
        .ndmsg(InetAddresses.family(ip), ifindex, 0, 0, 0)
        .attr(NDA_DST, ip.getAddress());
  }

  // ------------------------------------------------------------------ errors

  /**
   * The ErrnoException for an NLMSG_ERROR with a non-zero error: {@code struct nlmsgerr} (the
   * negative errno and the request's header, or the whole request unless NLM_F_CAPPED) followed,
   * with NLM_F_ACK_TLVS, by extended-ack attributes whose NLMSGERR_ATTR_MSG becomes the detail.
   */
  static ErrnoException error(String what, NetlinkMessage m) {
    ByteBuffer p = m.payload();
    int errno = -p.getInt(0);
    String detail = null;
    if ((m.flags() & NLM_F_ACK_TLVS) != 0 && p.limit() >= 4 + NLMSG_HDRLEN) {
      int request = (m.flags() & NLM_F_CAPPED) != 0 ? NLMSG_HDRLEN : align(p.getInt(4));
      int at = 4 + request;
      if (at <= p.limit()) {
        detail =
            Attributes.parse(p.slice(at, p.limit() - at)).string(NLMSGERR_ATTR_MSG).orElse(null);
      }
    }
    return new ErrnoException(what, errno, detail);
  }
}
