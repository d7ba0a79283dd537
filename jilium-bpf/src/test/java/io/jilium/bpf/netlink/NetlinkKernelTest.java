package io.jilium.bpf.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.jilium.bpf.netns.Commands;
import io.jilium.bpf.netns.NetworkNamespace;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibC;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * rtnetlink against the real kernel: wires a pod the way Jilium will (a veth whose peer is created
 * inside a named namespace, addresses, routes and neighbour entries on both sides), proves it with
 * TCP traffic over IPv4 and IPv6 in both directions, and cross-checks every object with iproute2.
 */
@Tag("kernel")
class NetlinkKernelTest {
  private static final InetAddress GATEWAY_V4 = ip("169.254.1.1");
  private static final InetAddress GATEWAY_V6 = ip("fe80::1");

  private final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final String nsName = "jltest-" + id;
  private final String hostVeth = "jlh" + id; // 11 characters
  private final List<String> hostLinks = new ArrayList<>();
  private Netlink host;
  private Path ns;

  // Random test addresses (198.18.0.0/15 is for benchmarks, fd00::/8 is unique-local) so that
  // concurrent runs on one machine do not meet.
  private final int r1 = ThreadLocalRandom.current().nextInt(256);
  private final int r2 = ThreadLocalRandom.current().nextInt(2, 250);
  private final InetAddress podV4 = ip("198.18." + r1 + "." + r2);
  private final InetAddress hostV4 = ip("198.19." + r1 + "." + r2);
  private final String v6Prefix = "fd4a:" + Integer.toHexString(r1) + ":" + Integer.toHexString(r2);
  private final InetAddress podV6 = ip(v6Prefix + "::2");
  private final InetAddress hostV6 = ip(v6Prefix + "::1");

  @BeforeEach
  void setUp() {
    host = Netlink.open();
    ns = NetworkNamespace.create(nsName);
  }

  @AfterEach
  void tearDown() {
    try {
      for (String name : hostLinks) {
        host.deleteLink(name);
      }
      assertThat(host.links()).noneMatch(l -> l.name().contains(id));
    } finally {
      host.close();
      if (ns != null) {
        NetworkNamespace.delete(ns);
      }
    }
  }

  @Test
  void podWiringCarriesTcpOverIpv4AndIpv6BothWays() throws Exception {
    MacAddress hostMac = MacAddress.randomLocal();
    MacAddress podMac = MacAddress.randomLocal();
    Link hostLink;
    Link podLink;
    long started = System.nanoTime();
    try (Netlink pod = Netlink.openIn(ns)) {
      hostLinks.add(hostVeth);
      hostLink = host.createVeth(hostVeth, "eth0", ns, 1450, hostMac, podMac);
      podLink = pod.link("eth0").orElseThrow();
      int h = hostLink.index();
      int p = podLink.index();
      host.setUp(h);
      pod.setUp(p);
      pod.setUp(pod.link("lo").orElseThrow().index());
      pod.addAddress(p, podV4, 32, false);
      pod.addAddress(p, podV6, 128, true);
      pod.replaceRoute(Route.link(IpPrefix.host(GATEWAY_V4), p));
      pod.replaceRoute(Route.via(IpPrefix.defaultV4(), GATEWAY_V4, p).withOnLink());
      pod.replaceRoute(Route.via(IpPrefix.defaultV6(), GATEWAY_V6, p));
      pod.replaceNeighbor(p, GATEWAY_V4, hostMac, true);
      pod.replaceNeighbor(p, GATEWAY_V6, hostMac, true);
      host.addAddress(h, hostV4, 32, false);
      host.addAddress(h, hostV6, 128, true);
      host.replaceRoute(Route.link(IpPrefix.host(podV4), h));
      host.replaceRoute(Route.link(IpPrefix.host(podV6), h));
      long micros = (System.nanoTime() - started) / 1000;
      System.out.printf(
          "pod wiring (netns socket, veth, 2 links up, 4 addresses, 5 routes, 2 neighbours): %d"
              + " us%n",
          micros);
      assertThat(micros).as("pod wiring should take milliseconds").isLessThan(2_000_000);

      // What we read back ourselves
      assertThat(hostLink.name()).isEqualTo(hostVeth);
      assertThat(hostLink.mac()).contains(hostMac);
      assertThat(hostLink.mtu()).isEqualTo(1450);
      assertThat(hostLink.kind()).contains("veth");
      assertThat(hostLink.isUp()).as("created down").isFalse();
      assertThat(hostLink.linkIndex()).as("host end points at the peer").isEqualTo(p);
      assertThat(podLink.mac()).contains(podMac);
      assertThat(podLink.mtu()).isEqualTo(1450);
      assertThat(podLink.linkIndex()).isEqualTo(h);
      assertThat(pod.link(hostVeth)).as("the host end is not in the pod").isEmpty();
      assertThat(pod.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "eth0");
      assertThat(host.link(h).orElseThrow().isUp()).isTrue();
      assertThat(pod.link(p).orElseThrow().isUp()).isTrue();

      assertThat(pod.addresses())
          .filteredOn(a -> a.ifindex() == p && a.scope() == Scope.UNIVERSE)
          .extracting(Address::address, Address::prefixLength)
          .containsExactlyInAnyOrder(tuple(podV4, 32), tuple(podV6, 128));
      assertThat(pod.addresses())
          .filteredOn(a -> a.address().equals(podV6))
          .singleElement()
          .satisfies(a -> assertThat(a.flags() & Address.IFA_F_NODAD).isNotZero());

      List<Route> podRoutes4 = pod.routes(LibC.AF_INET);
      assertThat(podRoutes4)
          .contains(
              Route.link(IpPrefix.host(GATEWAY_V4), p),
              Route.via(IpPrefix.defaultV4(), GATEWAY_V4, p).withOnLink());
      assertThat(pod.routes(LibC.AF_INET6))
          .filteredOn(r -> r.destination().isDefault())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.gateway()).contains(GATEWAY_V6);
                assertThat(r.outputIndex()).isEqualTo(p);
                assertThat(r.protocol()).isEqualTo(Route.PROTOCOL_JILIUM);
                assertThat(r.metric()).as("IPv6's default metric").isEqualTo(1024);
              });
      assertThat(host.routes(LibC.AF_INET)).contains(Route.link(IpPrefix.host(podV4), h));
      assertThat(host.routes(LibC.AF_INET6))
          .anySatisfy(
              r -> {
                assertThat(r.destination()).isEqualTo(IpPrefix.host(podV6));
                assertThat(r.outputIndex()).isEqualTo(h);
                assertThat(r.gateway()).isEmpty();
              });
    }

    // What iproute2 sees
    JsonNode hostJson = Commands.json("ip", "-d", "-j", "link", "show", "dev", hostVeth).get(0);
    assertThat(hostJson.path("address").asText()).isEqualTo(hostMac.toString());
    assertThat(hostJson.path("mtu").asInt()).isEqualTo(1450);
    assertThat(hostJson.path("linkinfo").path("info_kind").asText()).isEqualTo("veth");
    assertThat(texts(hostJson.path("flags"))).contains("UP");
    JsonNode podJson =
        Commands.json("ip", "-n", nsName, "-j", "addr", "show", "dev", "eth0").get(0);
    assertThat(podJson.path("address").asText()).isEqualTo(podMac.toString());
    assertThat(Commands.elements(podJson.path("addr_info")))
        .anySatisfy(
            a -> {
              assertThat(a.path("local").asText()).isEqualTo(podV4.getHostAddress());
              assertThat(a.path("prefixlen").asInt()).isEqualTo(32);
            })
        .anySatisfy(
            a -> {
              assertThat(ip(a.path("local").asText())).isEqualTo(podV6);
              assertThat(a.path("nodad").asBoolean()).isTrue();
            });
    assertThat(Commands.elements(Commands.json("ip", "-n", nsName, "-j", "route", "show")))
        .anySatisfy(
            r -> {
              assertThat(r.path("dst").asText()).isEqualTo("default");
              assertThat(r.path("gateway").asText()).isEqualTo("169.254.1.1");
              assertThat(r.path("dev").asText()).isEqualTo("eth0");
              assertThat(r.path("protocol").asText()).isEqualTo("40");
              assertThat(texts(r.path("flags"))).contains("onlink");
            })
        .anySatisfy(
            r -> {
              assertThat(r.path("dst").asText()).isEqualTo("169.254.1.1");
              assertThat(r.path("scope").asText()).isEqualTo("link");
            });
    assertThat(
            Commands.elements(
                Commands.json("ip", "-n", nsName, "-j", "-6", "route", "show", "default")))
        .singleElement()
        .satisfies(r -> assertThat(r.path("gateway").asText()).isEqualTo("fe80::1"));
    assertThat(
            Commands.elements(
                Commands.json("ip", "-n", nsName, "-j", "neigh", "show", "dev", "eth0")))
        .filteredOn(n -> texts(n.path("state")).contains("PERMANENT"))
        .extracting(n -> n.path("dst").asText(), n -> n.path("lladdr").asText())
        .containsExactlyInAnyOrder(
            tuple("169.254.1.1", hostMac.toString()), tuple("fe80::1", hostMac.toString()));
    assertThat(Commands.run("ip", "-j", "route", "show", podV4.getHostAddress()))
        .contains(hostVeth);

    // Real traffic
    assertTcp(ns, podV4, null, hostV4);
    assertTcp(ns, podV6, null, hostV6);
    assertTcp(null, hostV4, ns, podV4);
    assertTcp(null, hostV6, ns, podV6);
  }

  @Test
  void linkChangesAndDeletion() {
    String a = "jla" + id;
    String b = "jlb" + id;
    hostLinks.add(a);
    Link created = host.createVeth(a, b, null, 0, null, null);
    assertThat(created.mtu()).as("kernel default").isEqualTo(1500);
    assertThat(created.mac()).isPresent();
    assertThat(host.link(b)).as("the peer stays here without a namespace").isPresent();

    int i = created.index();
    MacAddress mac = MacAddress.parse("02:4a:00:00:00:01");
    host.setMtu(i, 1400);
    host.setMac(i, mac);
    host.setUp(i);
    Link changed = host.link(i).orElseThrow();
    assertThat(changed.mtu()).isEqualTo(1400);
    assertThat(changed.mac()).contains(mac);
    assertThat(changed.isUp()).isTrue();
    JsonNode json = Commands.json("ip", "-j", "link", "show", "dev", a).get(0);
    assertThat(json.path("mtu").asInt()).isEqualTo(1400);
    assertThat(json.path("address").asText()).isEqualTo("02:4a:00:00:00:01");
    assertThat(texts(json.path("flags"))).contains("UP");

    host.setDown(i);
    assertThat(host.link(a).orElseThrow().isUp()).isFalse();
    assertThat(texts(Commands.json("ip", "-j", "link", "show", "dev", a).get(0).path("flags")))
        .doesNotContain("UP");

    assertThatThrownBy(() -> host.createVeth(a, "jlc" + id, null, 0, null, null))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
        .hasMessageContaining("RTM_NEWLINK(veth " + a + "/jlc" + id);

    assertThat(host.deleteLink(a)).isTrue();
    assertThat(host.link(a)).isEmpty();
    assertThat(host.link(b)).as("deleting one end deletes the pair").isEmpty();
    assertThat(host.deleteLink(a)).isFalse();
    assertThat(host.link(i)).isEmpty();
  }

  @Test
  void namesLongerThan15CharactersAreRejectedBeforeTheKernel() {
    String longName = "jl" + id + "-toolong"; // 18
    assertThatThrownBy(() -> host.createVeth(longName, "eth0", ns, 0, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(longName);
    assertThatThrownBy(() -> host.createVeth("jl" + id, longName, ns, 0, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(longName);
    assertThat(host.links()).noneMatch(l -> l.name().contains(id));
  }

  @Test
  void readsTheHostAndTheNamespaceSeparately() {
    Link lo = host.link("lo").orElseThrow();
    assertThat(lo.index()).isEqualTo(1);
    assertThat(host.link(1)).contains(lo);
    assertThat(lo.isUp()).isTrue();
    assertThat(host.links()).contains(lo);
    assertThat(host.link("jlnone" + id)).isEmpty();
    assertThat(host.deleteLink("jlnone" + id)).isFalse();
    assertThat(host.addresses())
        .anySatisfy(a -> assertThat(a.address().isLoopbackAddress()).isTrue());

    try (Netlink inside = Netlink.openIn(ns)) {
      assertThat(inside.links())
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.name()).isEqualTo("lo");
                assertThat(l.isUp()).as("a fresh namespace's loopback is down").isFalse();
              });
      assertThat(inside.addresses()).isEmpty();
      assertThat(inside.routes(LibC.AF_INET)).isEmpty();
    }
  }

  @Test
  void failuresNameTheRequestAndTheKernelsReason() {
    String a = "jla" + id;
    hostLinks.add(a);
    int i = host.createVeth(a, "jlb" + id, null, 0, null, null).index();
    host.setUp(i);

    assertThatThrownBy(() -> host.addAddress(999_999, hostV4, 32, false))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENODEV))
        .hasMessageStartingWith("RTM_NEWADDR(ifindex 999999 " + hostV4.getHostAddress() + "/32)");
    // A gateway that is not on the link, without onlink: the kernel explains in an extended ack.
    Route unreachable = Route.via(IpPrefix.host(podV4), ip("198.51.100.1"), i);
    assertThatThrownBy(() -> host.replaceRoute(unreachable))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENETUNREACH))
        .hasMessageStartingWith("RTM_NEWROUTE(" + unreachable + "): ENETUNREACH (")
        .hasMessageContaining("gateway");
  }

  @Test
  void deletesAddressesRoutesAndNeighbours() {
    String a = "jla" + id;
    hostLinks.add(a);
    int i = host.createVeth(a, "jlb" + id, null, 0, null, null).index();
    host.setUp(i);
    host.addAddress(i, hostV4, 24, false);
    Route route = Route.link(IpPrefix.host(podV4), i);
    host.replaceRoute(route);
    host.replaceRoute(route); // replace is idempotent
    host.replaceNeighbor(i, podV4, MacAddress.parse("02:4a:00:00:00:02"), false);
    assertThat(Commands.run("ip", "neigh", "show", "dev", a)).contains(podV4.getHostAddress());

    assertThat(host.routes(LibC.AF_INET))
        .filteredOn(r -> r.destination().equals(route.destination()))
        .hasSize(1);
    assertThat(host.deleteRoute(route)).isTrue();
    assertThat(host.deleteRoute(route)).isFalse();
    assertThat(host.routes(LibC.AF_INET)).doesNotContain(route);

    assertThat(host.deleteNeighbor(i, podV4)).isTrue();
    assertThat(host.deleteNeighbor(i, podV4)).isFalse();

    assertThat(host.addresses()).anySatisfy(x -> assertThat(x.address()).isEqualTo(hostV4));
    assertThat(host.deleteAddress(i, hostV4, 24)).isTrue();
    assertThat(host.deleteAddress(i, hostV4, 24)).isFalse();
    assertThat(host.addresses()).noneSatisfy(x -> assertThat(x.address()).isEqualTo(hostV4));
  }

  /**
   * Connects from {@code clientNs} (null: host) to a server listening on {@code serverIp} in {@code
   * serverNs}, sends a line each way, and checks the server saw the client's address.
   */
  private static void assertTcp(
      Path serverNs, InetAddress serverIp, Path clientNs, InetAddress clientIp) throws Exception {
    ServerSocket server =
        inNs(
            serverNs,
            () -> {
              ServerSocket s = new ServerSocket();
              s.bind(new InetSocketAddress(serverIp, 0));
              s.setSoTimeout(10_000);
              return s;
            });
    try (server) {
      int port = server.getLocalPort();
      Socket client =
          inNs(
              clientNs,
              () -> {
                Socket c = new Socket();
                c.bind(new InetSocketAddress(clientIp, 0));
                c.connect(new InetSocketAddress(serverIp, port), 10_000);
                c.setSoTimeout(10_000);
                return c;
              });
      try (client;
          Socket accepted = server.accept()) {
        accepted.setSoTimeout(10_000);
        assertThat(accepted.getInetAddress()).isEqualTo(clientIp);
        client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine(accepted.getInputStream())).isEqualTo("ping");
        accepted.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readLine(client.getInputStream()))
            .as("%s -> %s", clientIp.getHostAddress(), serverIp.getHostAddress())
            .isEqualTo("pong");
      }
    }
  }

  private static <T> T inNs(Path netns, NetworkNamespace.Work<T, IOException> work)
      throws IOException {
    return netns == null ? work.call() : NetworkNamespace.callIn(netns, work);
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
      b.append((char) c);
    }
    return b.toString();
  }

  private static List<String> texts(JsonNode array) {
    return Commands.elements(array).stream().map(JsonNode::asText).toList();
  }

  private static InetAddress ip(String text) {
    return InetAddresses.parse(text);
  }
}
