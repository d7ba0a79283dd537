package io.jilium.bpf.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.bpf.CgroupLink;
import io.jilium.bpf.RingBuffer;
import io.jilium.bpf.maps.IpCacheMap;
import io.jilium.bpf.maps.LbBackendsMap;
import io.jilium.bpf.maps.LbBackendsMap.Backend;
import io.jilium.bpf.maps.LbNetnsMap;
import io.jilium.bpf.maps.LbServicesMap;
import io.jilium.bpf.maps.LbServicesMap.Key;
import io.jilium.bpf.maps.LbServicesMap.Service;
import io.jilium.bpf.maps.MetricsMap;
import io.jilium.bpf.netns.Commands;
import io.jilium.bpf.netns.NetworkNamespace;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibC;
import io.jilium.core.flow.DropNotification;
import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
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
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * bpf_sock attached to the cgroup2 root, with real sockets: a client namespace (registered in
 * jl_lb_netns) and a server namespace holding two backends on each family, joined by a veth. The
 * service VIPs are routed nowhere in the client namespace, so a connect that is not translated
 * fails with ENETUNREACH at once.
 */
@Tag("kernel")
class SockDatapathKernelTest {
  private static final String PREFIX =
      "jlsock-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-";
  private static final Path OBJECT = Path.of("target/classes/bpf/bpf_sock.o");
  private static final int TCP = 6;
  private static final int UDP = 17;

  private static final InetAddress VIP4 = ip("10.96.0.10");
  private static final InetAddress VIP4_EMPTY = ip("10.96.0.11");
  private static final InetAddress VIP4_STICKY = ip("10.96.0.12");
  private static final InetAddress VIP6 = ip("fd00:96::10");
  private static final List<String> BACKENDS4 = List.of("10.200.0.2", "10.200.0.3");
  private static final List<String> BACKENDS6 = List.of("fd00:200::2", "fd00:200::3");

  private static Path pinDir;
  private static Path client;
  private static Path server;
  private static SockDatapath sock;
  private static long clientCookie;
  private static final List<AutoCloseable> servers = new ArrayList<>();

  @BeforeAll
  static void setUp() throws IOException {
    pinDir = Path.of("/sys/fs/bpf/jilium/test-sock-" + PREFIX.substring(7, 15));
    client = NetworkNamespace.create(PREFIX + "c");
    server = NetworkNamespace.create(PREFIX + "s");
    String c = client.getFileName().toString();
    String s = server.getFileName().toString();
    Commands.run(
        "ip", "-n", c, "link", "add", "c0", "type", "veth", "peer", "name", "s0", "netns", s);
    Commands.run("ip", "-n", c, "addr", "add", "10.200.0.1/24", "dev", "c0");
    Commands.run("ip", "-n", c, "addr", "add", "fd00:200::1/64", "dev", "c0", "nodad");
    for (String a : List.of("10.200.0.2/24", "10.200.0.3/24")) {
      Commands.run("ip", "-n", s, "addr", "add", a, "dev", "s0");
    }
    for (String a : List.of("fd00:200::2/64", "fd00:200::3/64")) {
      Commands.run("ip", "-n", s, "addr", "add", a, "dev", "s0", "nodad");
    }
    for (String[] l : List.of(new String[] {c, "c0"}, new String[] {s, "s0"})) {
      Commands.run("ip", "-n", l[0], "link", "set", l[1], "up");
      Commands.run("ip", "-n", l[0], "link", "set", "lo", "up");
    }
    for (String b : BACKENDS4) {
      startServers(b);
    }
    for (String b : BACKENDS6) {
      startServers(b);
    }

    sock = SockDatapath.load(OBJECT, pinDir);
    sock.attach(SockDatapath.cgroupRoot(Optional.empty()));

    LbBackendsMap backends4 = sock.lb().backends4();
    backends4.put(1, new Backend(bytes(BACKENDS4.get(0)), 8080, TCP, LbBackendsMap.ACTIVE));
    backends4.put(2, new Backend(bytes(BACKENDS4.get(1)), 8080, TCP, LbBackendsMap.ACTIVE));
    backends4.put(3, new Backend(bytes(BACKENDS4.get(0)), 5353, UDP, LbBackendsMap.ACTIVE));
    backends4.put(4, new Backend(bytes(BACKENDS4.get(1)), 5353, UDP, LbBackendsMap.ACTIVE));
    sock.lb().backends6().put(11, new Backend(bytes(BACKENDS6.get(0)), 8080, TCP, 0));
    sock.lb().backends6().put(12, new Backend(bytes(BACKENDS6.get(1)), 8080, TCP, 0));
    sock.lb().backends6().put(13, new Backend(bytes(BACKENDS6.get(0)), 5353, UDP, 0));
    sock.lb().backends6().put(14, new Backend(bytes(BACKENDS6.get(1)), 5353, UDP, 0));
    LbServicesMap services4 = sock.lb().services4();
    service(services4, VIP4, 80, TCP, 1, 0, 1, 2);
    service(services4, VIP4, 53, UDP, 2, 0, 3, 4);
    service(services4, VIP4_EMPTY, 80, TCP, 3, 0);
    service(services4, VIP4_EMPTY, 53, UDP, 8, 0);
    service(services4, VIP4_STICKY, 80, TCP, 4, LbServicesMap.F_AFFINITY, 1, 2);
    service(services4, ip("0.0.0.0"), 30080, TCP, 5, LbServicesMap.F_NODEPORT, 1, 2);
    service(sock.lb().services6(), VIP6, 80, TCP, 6, 0, 11, 12);
    service(sock.lb().services6(), VIP6, 53, UDP, 7, 0, 13, 14);

    clientCookie = NetworkNamespace.cookie(client);
    sock.lb().netns().put(clientCookie, LbNetnsMap.POD);
  }

  @AfterAll
  static void tearDown() throws Exception {
    List<Exception> failures = new ArrayList<>();
    for (AutoCloseable s : servers) {
      run(failures, s::close);
    }
    if (sock != null) {
      run(failures, sock::detach);
      run(failures, sock::close);
    }
    if (client != null) {
      run(failures, () -> NetworkNamespace.delete(client));
    }
    if (server != null) {
      run(failures, () -> NetworkNamespace.delete(server));
    }
    if (pinDir != null && Files.exists(pinDir)) {
      run(
          failures,
          () -> {
            try (Stream<Path> s = Files.walk(pinDir)) {
              for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
              }
            }
          });
    }
    if (!failures.isEmpty()) {
      Exception first = failures.getFirst();
      failures.stream().skip(1).forEach(first::addSuppressed);
      throw first;
    }
  }

  @Test
  void tcpConnectToTheVipReachesBothBackendsAndGetpeernameShowsTheVip() {
    Set<String> reached = new HashSet<>();
    for (int i = 0; i < 24; i++) {
      Reply r = tcp(LibC.AF_INET, VIP4, 80);
      assertThat(r.peer()).isEqualTo(new InetSocketAddress(VIP4, 80));
      reached.add(r.text());
    }
    // random slots: both backends answer (all 24 on one: probability 2^-23)
    assertThat(reached).containsExactlyInAnyOrder("10.200.0.2:8080", "10.200.0.3:8080");
  }

  @Test
  void ipv6AndIpv4MappedConnectsAreTranslated() {
    Reply v6 = tcp(LibC.AF_INET6, VIP6, 80);
    assertThat(v6.text()).isIn("[fd00:200::2]:8080", "[fd00:200::3]:8080");
    assertThat(v6.peer()).isEqualTo(new InetSocketAddress(VIP6, 80));
    // a dual-stack socket connecting to ::ffff:10.96.0.10 goes through the IPv4 maps
    Reply mapped = tcp(LibC.AF_INET6, VIP4, 80);
    assertThat(mapped.text()).isIn("10.200.0.2:8080", "10.200.0.3:8080");
    assertThat(mapped.peer()).isEqualTo(new InetSocketAddress(VIP4, 80));
  }

  @Test
  void udpDatagramsReachABackendAndRepliesComeFromTheVip() throws IOException {
    for (ProtocolFamily family :
        List.of(StandardProtocolFamily.INET, StandardProtocolFamily.INET6)) {
      // INET6 to an IPv4 VIP: sendmsg6/recvmsg6 with ::ffff:10.96.0.10
      Reply r4 = udp(family, VIP4, 53);
      assertThat(r4.peer()).isEqualTo(new InetSocketAddress(VIP4, 53));
      assertThat(r4.text()).isIn("10.200.0.2:5353", "10.200.0.3:5353");
    }
    Reply r6 = udp(StandardProtocolFamily.INET6, VIP6, 53);
    assertThat(r6.peer()).isEqualTo(new InetSocketAddress(VIP6, 53));
    assertThat(r6.text()).isIn("[fd00:200::2]:5353", "[fd00:200::3]:5353");
  }

  @Test
  void sessionAffinityKeepsOneBackendForTheNamespace() {
    Set<String> reached = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      reached.add(tcp(LibC.AF_INET, VIP4_STICKY, 80).text());
    }
    assertThat(reached).hasSize(1);
  }

  @Test
  void nodePortWildcardServesLoopbackAndHostAddresses() {
    Reply lo = tcp(LibC.AF_INET, ip("127.0.0.1"), 30080);
    assertThat(lo.text()).isIn("10.200.0.2:8080", "10.200.0.3:8080");
    assertThat(lo.peer()).isEqualTo(new InetSocketAddress(ip("127.0.0.1"), 30080));
    // a node address (ipcache identity reserved:host) hits the wildcard too; others do not
    IpCacheMap ipcache = new IpCacheMap(sock.map(IpCacheMap.NAME));
    ipcache.put(Cidr.parse("10.200.0.1/32"), 1);
    try {
      assertThat(tcp(LibC.AF_INET, ip("10.200.0.1"), 30080).text())
          .isIn("10.200.0.2:8080", "10.200.0.3:8080");
    } finally {
      ipcache.delete(Cidr.parse("10.200.0.1/32"));
    }
    // untranslated: the client's own address, where nothing listens (a RST, not a drop)
    long drops = noServiceDrops();
    assertThatThrownBy(() -> tcp(LibC.AF_INET, ip("10.200.0.1"), 30080))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED));
    assertThat(noServiceDrops()).isEqualTo(drops);
  }

  @Test
  void aServiceWithoutBackendsRefusesTheConnectCountsAndNotifiesTheDrop() {
    List<DropNotification> drops = new CopyOnWriteArrayList<>();
    try (RingBuffer ring =
        new RingBuffer(
            sock.map(LxcDatapath.EVENTS),
            r -> {
              byte[] b = r.toArray(ValueLayout.JAVA_BYTE);
              if (b[0] == DropNotification.TYPE_DROP) {
                drops.add(DropNotification.decode(b));
              }
            })) {
      long before = noServiceDrops();
      assertThatThrownBy(() -> tcp(LibC.AF_INET, VIP4_EMPTY, 80))
          .isInstanceOfSatisfying(
              ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED));
      assertThat(noServiceDrops()).isEqualTo(before + 1);
      // Java ignores ECONNREFUSED on an unconnected send: sendto itself shows it
      assertThatThrownBy(() -> udpSendTo(VIP4_EMPTY, 53))
          .isInstanceOfSatisfying(
              ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ECONNREFUSED));
      assertThat(noServiceDrops()).isEqualTo(before + 2);
      ring.poll(1000);
      assertThat(drops)
          .anySatisfy(
              d -> {
                assertThat(d.reason()).isEqualTo(158);
                assertThat(d.fileName()).isEqualTo("bpf_sock.c");
                assertThat(d.packet().destination()).isEqualTo("10.96.0.11");
                assertThat(d.packet().destinationPort()).isEqualTo(80);
                assertThat(d.packet().protocol()).isEqualTo(TCP);
              });
    }
  }

  @Test
  void socketsOfANamespaceNotRegisteredAreNotTranslated() {
    assertThat(sock.lb().netns().delete(clientCookie)).isTrue();
    try {
      assertThatThrownBy(() -> tcp(LibC.AF_INET, VIP4, 80))
          .isInstanceOfSatisfying(
              ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENETUNREACH));
    } finally {
      sock.lb().netns().put(clientCookie, LbNetnsMap.POD);
    }
    assertThat(tcp(LibC.AF_INET, VIP4, 80).text()).isIn("10.200.0.2:8080", "10.200.0.3:8080");
  }

  @Test
  void aSecondLoadReplacesTheProgramsInTheSameLinks() {
    Path pin = SockDatapath.linkPin(pinDir, "cil_sock4_connect");
    CgroupLink.Info before = CgroupLink.info(pin).orElseThrow();
    try (SockDatapath again = SockDatapath.load(OBJECT, pinDir)) {
      again.attach(SockDatapath.cgroupRoot(Optional.empty()));
      CgroupLink.Info after = CgroupLink.info(pin).orElseThrow();
      assertThat(after.id()).isEqualTo(before.id());
      assertThat(after.programId()).isNotEqualTo(before.programId());
      assertThat(tcp(LibC.AF_INET, VIP4, 80).text()).isIn("10.200.0.2:8080", "10.200.0.3:8080");
    }
    // the links hold the new programs after their loader closed
    assertThat(tcp(LibC.AF_INET, VIP4, 80).text()).isIn("10.200.0.2:8080", "10.200.0.3:8080");
  }

  @Test
  void mountsAreParsedForTheCgroup2Root() {
    List<String> mounts =
        List.of(
            "tmpfs /sys/fs/cgroup tmpfs rw 0 0",
            "cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0",
            "cgroup2 /sys/fs/cgroup/un\\040ified cgroup2 rw 0 0");
    assertThat(SockDatapath.firstCgroup2Mount(mounts)).contains(Path.of("/sys/fs/cgroup/un ified"));
    assertThat(SockDatapath.isCgroup2MountPoint(mounts, Path.of("/sys/fs/cgroup"))).isFalse();
    assertThat(SockDatapath.isOnCgroup2(mounts, Path.of("/sys/fs/cgroup/un ified/a.slice")))
        .isTrue();
    assertThat(SockDatapath.isOnCgroup2(mounts, Path.of("/sys/fs/cgroup/cpu/a"))).isFalse();
    assertThat(SockDatapath.firstCgroup2Mount(mounts.subList(0, 2))).isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  private record Reply(String text, InetSocketAddress peer) {}

  private static long noServiceDrops() {
    return new MetricsMap(sock.map(MetricsMap.NAME))
        .dump().stream()
            .filter(c -> c.reason() == 158 && c.direction() == 2)
            .mapToLong(MetricsMap.Counter::packets)
            .sum();
  }

  /** A TCP connect from the client namespace with native calls: getpeername is not cached. */
  private static Reply tcp(int family, InetAddress to, int port) {
    return NetworkNamespace.callIn(
        client,
        () -> {
          try (Arena a = Arena.ofConfined();
              LibC.Fd fd =
                  new LibC.Fd(
                      LibC.socket(family, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0), "client")) {
            MemorySegment timeout = a.allocate(16, 8);
            timeout.set(ValueLayout.JAVA_LONG, 0, 5);
            LibC.setsockopt(fd.get(), LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeout);
            LibC.setsockopt(fd.get(), LibC.SOL_SOCKET, 21, timeout); // SO_SNDTIMEO: connect
            LibC.connect(fd.get(), sockaddr(a, family, to, port));
            MemorySegment peer = a.allocate(28, 4);
            LibC.getpeername(fd.get(), peer);
            MemorySegment buf = a.allocate(64);
            long n = LibC.recv(fd.get(), buf, 0, "reply");
            return new Reply(
                new String(
                    buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8),
                parse(peer));
          }
        });
  }

  private static void udpSendTo(InetAddress to, int port) {
    NetworkNamespace.runIn(
        client,
        () -> {
          try (Arena a = Arena.ofConfined();
              LibC.Fd fd =
                  new LibC.Fd(
                      LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0),
                      "client")) {
            MemorySegment ping = a.allocateFrom("ping");
            LibC.sendTo(fd.get(), ping, 4, 0, sockaddr(a, LibC.AF_INET, to, port), "ping");
          }
        });
  }

  private static Reply udp(ProtocolFamily family, InetAddress to, int port) throws IOException {
    return NetworkNamespace.callIn(
        client,
        () -> {
          try (DatagramChannel ch = DatagramChannel.open(family)) {
            ch.socket().setSoTimeout(5000);
            byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
            ch.socket().send(new DatagramPacket(ping, ping.length, to, port));
            DatagramPacket reply = new DatagramPacket(new byte[64], 64);
            ch.socket().receive(reply);
            return new Reply(
                new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8),
                (InetSocketAddress) reply.getSocketAddress());
          }
        });
  }

  /** A TCP and a UDP server on {@code address} in the server namespace, answering their name. */
  private static void startServers(String address) throws IOException {
    InetAddress a = ip(address);
    ProtocolFamily f =
        a.getAddress().length == 4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    ServerSocketChannel tcp =
        NetworkNamespace.callIn(
            server, () -> ServerSocketChannel.open(f).bind(new InetSocketAddress(a, 8080)));
    servers.add(tcp);
    String tcpName = hostPort(a, 8080);
    Thread.ofVirtual()
        .start(
            () -> {
              while (true) {
                try (SocketChannel c = tcp.accept()) {
                  c.write(ByteBuffer.wrap(tcpName.getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                  return; // closed at tear-down
                }
              }
            });
    DatagramChannel udp =
        NetworkNamespace.callIn(
            server, () -> DatagramChannel.open(f).bind(new InetSocketAddress(a, 5353)));
    servers.add(udp);
    byte[] udpName = hostPort(a, 5353).getBytes(StandardCharsets.UTF_8);
    Thread.ofVirtual()
        .start(
            () -> {
              ByteBuffer in = ByteBuffer.allocate(64);
              while (true) {
                try {
                  in.clear();
                  var from = udp.receive(in);
                  udp.send(ByteBuffer.wrap(udpName), from);
                } catch (IOException e) {
                  return;
                }
              }
            });
  }

  private static String hostPort(InetAddress a, int port) {
    String host = IpAddress.format(a.getAddress());
    return (a.getAddress().length == 16 ? "[" + host + "]" : host) + ":" + port;
  }

  private static void service(
      LbServicesMap map, InetAddress vip, int port, int proto, int id, int flags, int... backends) {
    byte[] a = vip.getAddress();
    for (int i = 0; i < backends.length; i++) {
      map.put(new Key(a, port, proto, i + 1), new Service(backends[i], 0, id, 0, 0));
    }
    int timeout = (flags & LbServicesMap.F_AFFINITY) != 0 ? 60 : 0;
    map.put(new Key(a, port, proto, 0), new Service(0, backends.length, id, flags, timeout));
  }

  /** {@code struct sockaddr_in} or {@code sockaddr_in6} (an IPv4 address as ::ffff:a.b.c.d). */
  private static MemorySegment sockaddr(Arena a, int family, InetAddress to, int port) {
    byte[] addr = to.getAddress();
    MemorySegment s = a.allocate(family == LibC.AF_INET ? 16 : 28, 4);
    s.set(ValueLayout.JAVA_SHORT, 0, (short) family);
    s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2, (short) port);
    if (family == LibC.AF_INET) {
      MemorySegment.copy(addr, 0, s, ValueLayout.JAVA_BYTE, 4, 4);
    } else if (addr.length == 4) {
      s.set(ValueLayout.JAVA_SHORT, 18, (short) 0xffff);
      MemorySegment.copy(addr, 0, s, ValueLayout.JAVA_BYTE, 20, 4);
    } else {
      MemorySegment.copy(addr, 0, s, ValueLayout.JAVA_BYTE, 8, 16);
    }
    return s;
  }

  /** The peer of getpeername; ::ffff:a.b.c.d comes back as the IPv4 address, as Java does. */
  private static InetSocketAddress parse(MemorySegment s) {
    int port = s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 2) & 0xffff;
    byte[] addr =
        s.get(ValueLayout.JAVA_SHORT, 0) == LibC.AF_INET
            ? s.asSlice(4, 4).toArray(ValueLayout.JAVA_BYTE)
            : s.asSlice(8, 16).toArray(ValueLayout.JAVA_BYTE);
    return new InetSocketAddress(ip(addr), port);
  }

  private static InetAddress ip(String s) {
    return ip(IpAddress.parse(s));
  }

  private static InetAddress ip(byte[] a) {
    try {
      return InetAddress.getByAddress(a);
    } catch (IOException e) {
      throw new IllegalArgumentException("address of " + a.length + " bytes", e);
    }
  }

  private static byte[] bytes(String s) {
    return ip(s).getAddress();
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void run(List<Exception> failures, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      failures.add(e);
    }
  }
}
