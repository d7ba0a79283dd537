package io.jilium.bpf.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.RingBuffer;
import io.jilium.bpf.maps.IpCacheMap;
import io.jilium.bpf.maps.LbBackendsMap;
import io.jilium.bpf.maps.LbMaglevMap;
import io.jilium.bpf.maps.LbServicesMap;
import io.jilium.bpf.maps.MetricsMap;
import io.jilium.bpf.netlink.IpPrefix;
import io.jilium.bpf.netlink.Link;
import io.jilium.bpf.netlink.MacAddress;
import io.jilium.bpf.netlink.Netlink;
import io.jilium.bpf.netlink.Route;
import io.jilium.bpf.netns.NetworkNamespace;
import io.jilium.core.flow.DropNotification;
import io.jilium.core.net.Cidr;
import io.jilium.core.service.Maglev;
import java.io.Closeable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * bpf_host with real traffic: a namespace playing a client outside the node reaches services
 * through the host side of its veth, where cil_from_netdev and cil_to_netdev are attached; the
 * backends live in another namespace that the host routes to (a veth and /32 routes, no bpf_lxc).
 * Services are written by hand through the typed maps, as the agent would.
 */
@Tag("kernel")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostDatapathKernelTest {
  private static final int MAGLEV_SIZE = 251;
  private static final int BACKEND_PORT = 8080;
  private static final int EXTERNAL_PORT = 80;
  private static final int HOST_PORT = 9090;
  private static final int TCP = 6;
  private static final int UDP = 17;
  private static final int TIMEOUT_MS = 3000;

  private final String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
  private final int r = ThreadLocalRandom.current().nextInt(256);
  private final int nodePort = 30000 + ThreadLocalRandom.current().nextInt(2000);
  private final int maglevPort = nodePort + 1;
  private final int emptyPort = nodePort + 2;
  private final String clientVeth = "jlc" + id;
  private final String backendVeth = "jlb" + id;
  private final Path pinDir = Path.of("/sys/fs/bpf/jilium/test-host-" + id);

  // Benchmark (198.18.0.0/15) and unique-local (fd00::/8) addresses, random per run.
  private final InetAddress node4 = ip("198.18." + r + ".1");
  private final InetAddress client4 = ip("198.18." + r + ".2");
  private final InetAddress external4 = ip("198.19." + r + ".100");
  private final InetAddress node6 = ip("fd4b:" + Integer.toHexString(r) + "::1");
  private final InetAddress client6 = ip("fd4b:" + Integer.toHexString(r) + "::2");
  private final List<InetAddress> backends4 = new ArrayList<>();
  private final List<InetAddress> backends6 = new ArrayList<>();

  private final List<Closeable> sockets = new CopyOnWriteArrayList<>();
  private Netlink host;
  private Path clientNs;
  private Path backendNs;
  private HostDatapath dp;
  private int clientVethIndex;

  @BeforeAll
  void setUp() throws Exception {
    for (int i = 1; i <= 3; i++) {
      backends4.add(ip("198.19." + r + "." + (10 + i)));
      backends6.add(ip("fd4b:" + Integer.toHexString(r) + ":b::" + (10 + i)));
    }
    host = Netlink.open();
    try {
      dp = HostDatapath.load(Path.of("target/classes/bpf/bpf_host.o"), pinDir, MAGLEV_SIZE);
      wire();
      dp.attach(clientVethIndex, clientVeth);
      IpCacheMap ipcache = new IpCacheMap(dp.map(IpCacheMap.NAME));
      ipcache.put(Cidr.host(node4.getAddress()), 1); // reserved:host
      ipcache.put(Cidr.host(node6.getAddress()), 1);
      startServers();
    } catch (Exception | Error e) {
      tearDown();
      throw e;
    }
  }

  /** client ns --veth-- host --veth-- backend ns, addresses, routes and static neighbours. */
  private void wire() {
    MacAddress hostClientMac = MacAddress.randomLocal();
    MacAddress clientMac = MacAddress.randomLocal();
    MacAddress hostBackendMac = MacAddress.randomLocal();
    MacAddress backendMac = MacAddress.randomLocal();
    InetAddress gw4 = ip("169.254.1.1");
    InetAddress gw6 = ip("fe80::1");
    clientNs = NetworkNamespace.create("jltest-hc-" + id);
    backendNs = NetworkNamespace.create("jltest-hb-" + id);
    try (Netlink client = Netlink.openIn(clientNs);
        Netlink backend = Netlink.openIn(backendNs)) {
      Link hc = host.createVeth(clientVeth, "eth0", clientNs, 0, hostClientMac, clientMac);
      clientVethIndex = hc.index();
      int c = client.link("eth0").orElseThrow().index();
      host.setUp(hc.index());
      client.setUp(c);
      client.setUp(client.link("lo").orElseThrow().index());
      host.addAddress(hc.index(), node4, 24, false);
      host.addAddress(hc.index(), node6, 64, true);
      client.addAddress(c, client4, 24, false);
      client.addAddress(c, client6, 64, true);
      client.replaceRoute(Route.via(IpPrefix.defaultV4(), node4, c));
      client.replaceRoute(Route.via(IpPrefix.defaultV6(), node6, c));
      client.replaceNeighbor(c, node4, hostClientMac, true);
      client.replaceNeighbor(c, node6, hostClientMac, true);
      host.replaceNeighbor(hc.index(), client4, clientMac, true);
      host.replaceNeighbor(hc.index(), client6, clientMac, true);

      Link hb = host.createVeth(backendVeth, "eth0", backendNs, 0, hostBackendMac, backendMac);
      int b = backend.link("eth0").orElseThrow().index();
      host.setUp(hb.index());
      backend.setUp(b);
      backend.setUp(backend.link("lo").orElseThrow().index());
      for (InetAddress a : Stream.concat(backends4.stream(), backends6.stream()).toList()) {
        backend.addAddress(b, a, a.getAddress().length == 4 ? 32 : 128, true);
        host.replaceRoute(Route.link(IpPrefix.host(a), hb.index()));
        host.replaceNeighbor(hb.index(), a, backendMac, true);
      }
      backend.replaceRoute(Route.link(IpPrefix.host(gw4), b));
      backend.replaceRoute(Route.via(IpPrefix.defaultV4(), gw4, b).withOnLink());
      backend.replaceRoute(Route.via(IpPrefix.defaultV6(), gw6, b));
      backend.replaceNeighbor(b, gw4, hostBackendMac, true);
      backend.replaceNeighbor(b, gw6, hostBackendMac, true);
      // Untranslated packets to the external IP die in the backend namespace, never leave.
      host.replaceRoute(Route.link(IpPrefix.host(external4), hb.index()));
    }
  }

  /** Every backend answers with its own address, over TCP and UDP; the host answers "host". */
  private void startServers() throws IOException {
    for (InetAddress a : Stream.concat(backends4.stream(), backends6.stream()).toList()) {
      String name = a.getHostAddress();
      InetSocketAddress at = new InetSocketAddress(a, BACKEND_PORT);
      serveTcp(NetworkNamespace.callIn(backendNs, () -> ServerSocketChannel.open().bind(at)), name);
      serveUdp(NetworkNamespace.callIn(backendNs, () -> DatagramChannel.open().bind(at)), name);
    }
    serveTcp(ServerSocketChannel.open().bind(new InetSocketAddress(node4, HOST_PORT)), "host");
  }

  private void serveTcp(ServerSocketChannel server, String answer) {
    sockets.add(server);
    Thread.ofVirtual()
        .start(
            () -> {
              while (server.isOpen()) {
                try (SocketChannel s = server.accept()) {
                  s.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException closed) {
                  return;
                }
              }
            });
  }

  private void serveUdp(DatagramChannel server, String answer) {
    sockets.add(server);
    Thread.ofVirtual()
        .start(
            () -> {
              ByteBuffer buf = ByteBuffer.allocate(1500);
              while (server.isOpen()) {
                try {
                  buf.clear();
                  var from = server.receive(buf);
                  server.send(ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), from);
                } catch (IOException closed) {
                  return;
                }
              }
            });
  }

  @AfterAll
  void tearDown() throws IOException {
    for (Closeable s : sockets) {
      s.close();
    }
    sockets.clear();
    try {
      if (dp != null && clientVethIndex > 0) {
        dp.detach(clientVethIndex);
      }
      if (host != null) {
        host.deleteLink(clientVeth);
        host.deleteLink(backendVeth);
        assertThat(host.links()).noneMatch(l -> l.name().contains(id));
      }
    } finally {
      if (host != null) {
        host.close();
        host = null;
      }
      for (Path ns : new Path[] {clientNs, backendNs}) {
        if (ns != null) {
          NetworkNamespace.delete(ns);
        }
      }
      if (dp != null) {
        dp.close();
        dp = null;
      }
      removePins(pinDir);
    }
  }

  private static void removePins(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void nodePortOverTcpAndUdpReachesEveryBackendAndRepliesComeFromTheNodeAddress() throws Exception {
    service(node4, nodePort, TCP, 1, LbServicesMap.F_NODEPORT, backends4, true);
    service(node4, nodePort, UDP, 2, LbServicesMap.F_NODEPORT, backends4, true);
    service(node6, nodePort, TCP, 3, LbServicesMap.F_NODEPORT, backends6, true);
    service(node6, nodePort, UDP, 4, LbServicesMap.F_NODEPORT, backends6, true);

    for (InetAddress node : List.of(node4, node6)) {
      List<String> expected =
          (node == node4 ? backends4 : backends6)
              .stream().map(InetAddress::getHostAddress).toList();
      Set<String> tcp = new HashSet<>();
      Set<String> udp = new HashSet<>();
      for (int i = 0; i < 12; i++) {
        tcp.add(tcpAsk(node, nodePort));
        // connected: the socket only takes a reply whose source is node:nodePort
        udp.add(udpAsk(node, nodePort, 0));
      }
      assertThat(tcp).as("TCP to " + node).isSubsetOf(expected).hasSizeGreaterThan(1);
      assertThat(udp).as("UDP to " + node).isSubsetOf(expected).hasSizeGreaterThan(1);
    }
  }

  @Test
  void externalIpIsTranslatedToItsBackend() throws Exception {
    List<InetAddress> one = List.of(backends4.get(0));
    service(external4, EXTERNAL_PORT, TCP, 5, LbServicesMap.F_EXTERNAL_IP, one, false);
    service(external4, EXTERNAL_PORT, UDP, 6, LbServicesMap.F_EXTERNAL_IP, one, false);

    String backend = backends4.get(0).getHostAddress();
    assertThat(tcpAsk(external4, EXTERNAL_PORT)).isEqualTo(backend);
    assertThat(udpAsk(external4, EXTERNAL_PORT, 0)).isEqualTo(backend);
  }

  @Test
  void sessionAffinityKeepsAClientAddressOnOneBackendAcrossConnections() throws Exception {
    int port = nodePort + 3;
    service(
        node4, port, UDP, 13, LbServicesMap.F_NODEPORT | LbServicesMap.F_AFFINITY, backends4, true);
    LbServicesMap.Key key = new LbServicesMap.Key(new byte[4], port, UDP, 0);
    LbServicesMap.Service svc = dp.lb().services4().get(key).orElseThrow();
    dp.lb()
        .services4()
        .put(
            key,
            new LbServicesMap.Service(
                0, svc.count(), svc.revNatIndex(), svc.flags(), 600)); // 10 minutes

    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      seen.add(udpAsk(node4, port, 0)); // a new source port, a new connection each time
    }
    assertThat(seen).hasSize(1);
  }

  @Test
  void clusterIpFrontendIsNotServedFromOutside() throws Exception {
    // a ClusterIP frontend on the node address: untranslated, the host's own listener answers
    service(node4, HOST_PORT, TCP, 7, LbServicesMap.F_CLUSTERIP, backends4, false);
    assertThat(tcpAsk(node4, HOST_PORT)).isEqualTo("host");
  }

  @Test
  void maglevPutsEachTupleOnTheBackendItsHashNamesEvenAfterTheConnectionIsForgotten()
      throws Exception {
    int revNat = 8;
    Map<String, Integer> ids = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      ids.put(backends4.get(i).getHostAddress(), 40 + i);
    }
    Maglev.Table table =
        Maglev.of(MAGLEV_SIZE, Maglev.DEFAULT_HASH_SEED)
            .table(ids.keySet().stream().map(Maglev.Backend::of).toList());
    int[] slots = new int[MAGLEV_SIZE];
    for (int s = 0; s < MAGLEV_SIZE; s++) {
      slots[s] = ids.get(table.backendAt(s));
    }
    LbMaglevMap maglev = dp.maglev4();
    maglev.put(revNat, slots);
    assertThat(maglev.get(revNat)).hasValueSatisfying(t -> assertThat(t).isEqualTo(slots));
    assertThat(maglev.keys()).contains(revNat);
    LbBackendsMap backends = dp.lb().backends4();
    ids.forEach(
        (addr, bid) ->
            backends.put(
                bid,
                new LbBackendsMap.Backend(
                    ip(addr).getAddress(), BACKEND_PORT, UDP, LbBackendsMap.ACTIVE)));
    writeService(
        new byte[4],
        maglevPort,
        UDP,
        revNat,
        LbServicesMap.F_NODEPORT | LbServicesMap.F_MAGLEV,
        List.copyOf(ids.values()));

    // client ports chosen so that the hash names every backend twice
    Map<Integer, String> expected = new LinkedHashMap<>();
    Map<String, Integer> hits = new HashMap<>();
    for (int port = 40000; hits.size() < 3 || hits.values().stream().anyMatch(n -> n < 2); port++) {
      int slot =
          Integer.remainderUnsigned(
              hash4(client4.getAddress(), port, maglevPort, UDP), MAGLEV_SIZE);
      String backend = table.backendAt(slot);
      if (hits.merge(backend, 1, Integer::sum) <= 2) {
        expected.put(port, backend);
      }
    }
    Map<Integer, String> seen = new LinkedHashMap<>();
    for (int port : expected.keySet()) {
      seen.put(port, udpAsk(node4, maglevPort, port));
    }
    assertThat(seen).isEqualTo(expected);

    // forget every translated connection: the hash alone puts each tuple back where it was
    clear(dp.map("jl_lb4_ct"));
    for (int port : expected.keySet()) {
      seen.put(port, udpAsk(node4, maglevPort, port));
    }
    assertThat(seen).isEqualTo(expected);
    assertThat(maglev.delete(revNat)).isTrue();
    assertThat(maglev.get(revNat)).isEmpty();
  }

  @Test
  void frontendWithoutBackendsRefusesAtOnceCountsAndNotifies() throws Exception {
    List<DropNotification> drops = new CopyOnWriteArrayList<>();
    try (RingBuffer ring =
        new RingBuffer(
            dp.map(LxcDatapath.EVENTS),
            rec -> {
              byte[] b = rec.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
              if (b[0] == DropNotification.TYPE_DROP) {
                drops.add(DropNotification.decode(b));
              }
            })) {
      long before = noServiceDrops();
      for (InetAddress node : List.of(node4, node6)) {
        service(
            node,
            emptyPort,
            TCP,
            node == node4 ? 9 : 10,
            LbServicesMap.F_NODEPORT,
            List.of(),
            true);
        service(
            node,
            emptyPort,
            UDP,
            node == node4 ? 11 : 12,
            LbServicesMap.F_NODEPORT,
            List.of(),
            true);

        long start = System.nanoTime();
        assertThatThrownBy(() -> tcpAsk(node, emptyPort))
            .as("TCP to " + node)
            .isInstanceOf(ConnectException.class)
            .hasMessageContaining("refused");
        assertThat((System.nanoTime() - start) / 1_000_000)
            .as("refused by a RST, not a timeout")
            .isLessThan(1000);
        assertThatThrownBy(() -> udpAsk(node, emptyPort, 0))
            .as("UDP to " + node)
            .isInstanceOf(PortUnreachableException.class);
      }
      assertThat(noServiceDrops() - before).isGreaterThanOrEqualTo(4);
      long deadline = System.nanoTime() + 2_000_000_000L;
      while (drops.stream().filter(d -> d.reason() == 158).count() < 4
          && System.nanoTime() < deadline) {
        ring.poll(100);
      }
      assertThat(drops)
          .filteredOn(d -> d.reason() == 158)
          .hasSizeGreaterThanOrEqualTo(4)
          .allSatisfy(
              d -> {
                assertThat(d.fileName()).isEqualTo("bpf_host.c");
                assertThat(d.ifindex()).isEqualTo(clientVethIndex);
                assertThat(d.direction()).isEqualTo(DropNotification.DIR_INGRESS);
              });
    }
  }

  @Test
  void reloadKeepsMaglevTablesUnlessTheTableSizeChanges() throws IOException {
    Path dir = Path.of(pinDir + "-reload");
    Path object = Path.of("target/classes/bpf/bpf_host.o");
    int[] table = new int[MAGLEV_SIZE];
    java.util.Arrays.fill(table, 7);
    try {
      try (HostDatapath first = HostDatapath.load(object, dir, MAGLEV_SIZE)) {
        first.maglev6().put(99, table);
      }
      try (HostDatapath again = HostDatapath.load(object, dir, MAGLEV_SIZE)) {
        assertThat(again.maglev6().get(99)).hasValueSatisfying(t -> assertThat(t).isEqualTo(table));
      }
      try (HostDatapath bigger = HostDatapath.load(object, dir, 509)) {
        assertThat(bigger.maglev6().keys()).as("made for 251 slots: replaced").isEmpty();
        bigger.maglev6().put(99, new int[509]);
        assertThat(bigger.maglev6().get(99)).hasValueSatisfying(t -> assertThat(t).hasSize(509));
        assertThatThrownBy(() -> bigger.maglev6().put(99, table))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("509");
      }
    } finally {
      removePins(dir);
    }
  }

  // ---------------------------------------------------------------- services by hand

  /** Backends (one id per address, port and protocol) and a frontend naming them. */
  private void service(
      InetAddress frontend,
      int port,
      int proto,
      int revNat,
      int flags,
      List<InetAddress> backendAddresses,
      boolean nodePortWildcard) {
    boolean v6 = frontend.getAddress().length == 16;
    LbBackendsMap backends = v6 ? dp.lb().backends6() : dp.lb().backends4();
    List<Integer> ids = new ArrayList<>();
    for (InetAddress b : backendAddresses) {
      int bid =
          (v6 ? 100 : 0)
              + (proto == TCP ? 10 : 20)
              + (b.getAddress()[b.getAddress().length - 1] & 0xff);
      backends.put(
          bid,
          new LbBackendsMap.Backend(b.getAddress(), BACKEND_PORT, proto, LbBackendsMap.ACTIVE));
      ids.add(bid);
    }
    byte[] address = nodePortWildcard ? new byte[v6 ? 16 : 4] : frontend.getAddress();
    writeService(address, port, proto, revNat, flags, ids);
  }

  /** Slots 1..N first, then slot 0, as the agent writes them. */
  private void writeService(
      byte[] address, int port, int proto, int revNat, int flags, List<Integer> backendIds) {
    LbServicesMap services = address.length == 16 ? dp.lb().services6() : dp.lb().services4();
    for (int s = 0; s < backendIds.size(); s++) {
      services.put(
          new LbServicesMap.Key(address, port, proto, s + 1),
          new LbServicesMap.Service(backendIds.get(s), 0, revNat, flags, 0));
    }
    services.put(
        new LbServicesMap.Key(address, port, proto, 0),
        new LbServicesMap.Service(0, backendIds.size(), revNat, flags, 0));
  }

  private long noServiceDrops() {
    return new MetricsMap(dp.map(MetricsMap.NAME))
        .dump().stream()
            .filter(c -> c.reason() == 158 && c.direction() == 1)
            .mapToLong(MetricsMap.Counter::packets)
            .sum();
  }

  private static void clear(BpfMap map) {
    List<byte[]> keys = new ArrayList<>();
    map.forEach((k, v) -> keys.add(k.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
    try (var a = java.lang.foreign.Arena.ofConfined()) {
      for (byte[] k : keys) {
        map.delete(a.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, k));
      }
    }
  }

  // ---------------------------------------------------------------- the client

  /** Connects from the client namespace and reads what the server says. */
  private String tcpAsk(InetAddress dst, int port) throws IOException {
    try (SocketChannel ch = NetworkNamespace.callIn(clientNs, SocketChannel::open)) {
      ch.socket().connect(new InetSocketAddress(dst, port), TIMEOUT_MS);
      ch.socket().setSoTimeout(TIMEOUT_MS);
      return new String(ch.socket().getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A datagram from the client namespace (from {@code sport}, 0: any) and its answer. */
  private String udpAsk(InetAddress dst, int port, int sport) throws IOException {
    InetAddress src = dst.getAddress().length == 4 ? client4 : client6;
    try (DatagramChannel ch =
        NetworkNamespace.callIn(
            clientNs, () -> DatagramChannel.open().bind(new InetSocketAddress(src, sport)))) {
      ch.connect(new InetSocketAddress(dst, port));
      ch.write(ByteBuffer.wrap(new byte[] {'?'}));
      ch.socket().setSoTimeout(TIMEOUT_MS);
      DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
      ch.socket().receive(p);
      return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
    }
  }

  // ---------------------------------------------------------------- the hash, as bpf/lib/jhash.h

  /** lb_tuple_hash() for IPv4: words as a little-endian machine loads them from the packet. */
  static int hash4(byte[] saddr, int sport, int dport, int proto) {
    int a = ByteBuffer.wrap(saddr).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int sp = Short.reverseBytes((short) sport) & 0xffff;
    int dp = Short.reverseBytes((short) dport) & 0xffff;
    return jhash3(a, (dp << 16) | sp, proto, 0x4a4c4234);
  }

  private static int jhash3(int a, int b, int c, int initval) {
    initval += 0xdeadbeef + (3 << 2);
    a += initval;
    b += initval;
    c += initval;
    c ^= b;
    c -= Integer.rotateLeft(b, 14);
    a ^= c;
    a -= Integer.rotateLeft(c, 11);
    b ^= a;
    b -= Integer.rotateLeft(a, 25);
    c ^= b;
    c -= Integer.rotateLeft(b, 16);
    a ^= c;
    a -= Integer.rotateLeft(c, 4);
    b ^= a;
    b -= Integer.rotateLeft(a, 14);
    c ^= b;
    c -= Integer.rotateLeft(b, 24);
    return c;
  }

  private static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(s, e);
    }
  }
}
