package io.jilium.agent.endpoint;

import io.jilium.bpf.netlink.IpPrefix;
import io.jilium.bpf.netlink.Link;
import io.jilium.bpf.netlink.MacAddress;
import io.jilium.bpf.netlink.Netlink;
import io.jilium.bpf.netlink.Route;
import io.jilium.bpf.netlink.Scope;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The kernel side of an endpoint's network: a veth pair with the peer inside the pod's network
 * namespace, the pod's addresses and routes, and the host's routes to the pod.
 *
 * <p>The pod's IPv4 default route points at a link-local gateway (169.254.1.1) resolved by a
 * permanent neighbour entry to the host veth, so IPv4 needs no ARP. For IPv6 the host veth carries
 * fe80::1 and the pod finds it with real neighbour discovery. The host reaches pods through /32 and
 * /128 routes with permanent neighbour entries, so a new pod is reachable at once.
 */
final class EndpointPlumbing {
  static final InetAddress GATEWAY_V4 = literal("169.254.1.1");
  static final InetAddress GATEWAY_V6 = literal("fe80::1");

  /** The host side of a wired endpoint. */
  record Wired(int hostIfIndex, MacAddress hostMac, MacAddress podMac) {}

  private final Netlink host;
  private final int mtu;

  EndpointPlumbing(Netlink host, int mtu) {
    this.host = host;
    this.mtu = mtu;
  }

  Wired wire(Path netns, String ifname, String hostIfName, byte[] ipv4, byte[] ipv6) {
    MacAddress hostMac = MacAddress.randomLocal();
    MacAddress podMac = MacAddress.randomLocal();
    Optional<Link> stale = host.link(hostIfName);
    if (stale.isPresent()) {
      // left behind by an endpoint whose cleanup did not finish; its name is ours
      host.deleteLink(hostIfName);
    }
    Link hostLink = host.createVeth(hostIfName, ifname, netns, mtu, hostMac, podMac);
    int hostIndex = hostLink.index();
    try (Netlink pod = Netlink.openIn(netns)) {
      Link lo =
          pod.link("lo")
              .orElseThrow(
                  () -> new ErrnoException("RTM_GETLINK(lo in " + netns + ")", Errno.ENODEV));
      pod.setUp(lo.index());
      Link eth =
          pod.link(ifname)
              .orElseThrow(
                  () ->
                      new ErrnoException(
                          "RTM_GETLINK(" + ifname + " in " + netns + ")", Errno.ENODEV));
      int podIndex = eth.index();
      if (ipv4 != null) {
        pod.addAddress(podIndex, inet(ipv4), 32, false);
      }
      if (ipv6 != null) {
        pod.addAddress(podIndex, inet(ipv6), 128, true);
      }
      pod.setUp(podIndex);
      if (ipv4 != null) {
        pod.replaceNeighbor(podIndex, GATEWAY_V4, hostMac, true);
        pod.replaceRoute(
            new Route(
                IpPrefix.host(GATEWAY_V4),
                Optional.empty(),
                podIndex,
                Scope.LINK,
                Route.TABLE_MAIN,
                Route.PROTOCOL_JILIUM,
                0,
                0));
        pod.replaceRoute(Route.via(IpPrefix.defaultV4(), GATEWAY_V4, podIndex));
      }
      if (ipv6 != null) {
        pod.replaceRoute(Route.via(IpPrefix.defaultV6(), GATEWAY_V6, podIndex));
      }
    }
    if (ipv6 != null) {
      host.addAddress(hostIndex, GATEWAY_V6, 64, true);
    }
    host.setUp(hostIndex);
    if (ipv4 != null) {
      host.replaceNeighbor(hostIndex, inet(ipv4), podMac, true);
      host.replaceRoute(Route.link(IpPrefix.host(inet(ipv4)), hostIndex));
    }
    if (ipv6 != null) {
      host.replaceNeighbor(hostIndex, inet(ipv6), podMac, true);
      host.replaceRoute(Route.link(IpPrefix.host(inet(ipv6)), hostIndex));
    }
    return new Wired(hostIndex, hostMac, podMac);
  }

  /** Removes the veth pair (its routes and neighbours go with it); false if it was gone. */
  boolean unwire(String hostIfName) {
    return host.deleteLink(hostIfName);
  }

  boolean linkExists(String hostIfName) {
    return host.link(hostIfName).isPresent();
  }

  static InetAddress inet(byte[] address) {
    try {
      return InetAddress.getByAddress(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static InetAddress literal(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
