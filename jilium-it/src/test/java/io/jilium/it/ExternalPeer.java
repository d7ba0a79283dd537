package io.jilium.it;

import io.jilium.bpf.netns.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A host outside the cluster: a network namespace made by hand ({@code ip netns add} and a veth to
 * the host), with an IPv4 address outside every pod CIDR and servers on TCP and UDP ports 80 and 81
 * (TCP accepts, UDP echoes). Traffic between it and pods is routed by the host, so the datapath
 * sees it as {@code world} (or as the CIDR identity of a prefix a policy names).
 *
 * <p>The servers are sockets of this JVM, opened inside the namespace: nothing to kill. {@link
 * #close()} closes them and deletes the namespace and the veth, and is idempotent.
 */
final class ExternalPeer implements AutoCloseable {
  static final List<Integer> PORTS = List.of(80, 81);

  private final String name;
  private final String hostLink;
  private final String hostAddress;
  private final String address;
  private final String subnet;
  private final HostIndexClaim claim;
  private final List<java.nio.channels.Channel> servers = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final List<UdpEcho> udpServers = new ArrayList<>();
  private boolean closed;

  private ExternalPeer(String name, HostIndexClaim claim) {
    String prefix = subnetPrefix(claim.index());
    this.claim = claim;
    this.name = name;
    this.hostLink = name;
    this.subnet = prefix + "0/24";
    this.hostAddress = prefix + "1";
    this.address = prefix + "2";
  }

  /**
   * Claims a free index n (see {@link HostIndexClaim}) and creates the namespace {@code prefix + n}
   * (also the host-side veth's name) with the address 198.18.n.2/24, routed through 198.18.n.1 on
   * the host, and starts its servers. Cleans up what it made if anything fails.
   */
  static ExternalPeer create(String prefix) {
    if (prefix.length() > 12) {
      throw new IllegalArgumentException(
          "prefix: " + prefix + " (expected: at most 12 characters, a link name has 15)");
    }
    HostIndexClaim claim =
        HostIndexClaim.claim(
            "peer",
            n ->
                !Host.linkExists(prefix + n)
                    && !Files.exists(NetworkNamespace.path(prefix + n))
                    && Host.routesWithin(subnetPrefix(n), null).isEmpty());
    ExternalPeer e = new ExternalPeer(prefix + claim.index(), claim);
    try {
      e.setUp();
      return e;
    } catch (RuntimeException | AssertionError failure) {
      try {
        e.close();
      } catch (RuntimeException | AssertionError cleanup) {
        failure.addSuppressed(cleanup);
      }
      throw failure;
    }
  }

  /** Text every address of peer n's subnet (198.18.n.0/24) starts with. */
  private static String subnetPrefix(int n) {
    return "198.18." + n + ".";
  }

  /** The name of its namespace and of its host-side veth. */
  String name() {
    return name;
  }

  private void setUp() {
    Host.run("ip", "netns", "add", name);
    Host.run("ip", "link", "add", hostLink, "type", "veth", "peer", "name", "eth0", "netns", name);
    Host.run("ip", "addr", "add", hostAddress + "/24", "dev", hostLink);
    Host.run("ip", "link", "set", hostLink, "up");
    Host.run("ip", "-n", name, "link", "set", "lo", "up");
    Host.run("ip", "-n", name, "addr", "add", address + "/24", "dev", "eth0");
    Host.run("ip", "-n", name, "link", "set", "eth0", "up");
    Host.run("ip", "-n", name, "route", "add", "default", "via", hostAddress);
    for (int port : PORTS) {
      startTcp(port);
      udpServers.add(UdpEcho.ipv4(netns(), port));
    }
  }

  Path netns() {
    return NetworkNamespace.path(name);
  }

  /** Its address (198.18.n.2). */
  String address() {
    return address;
  }

  /** Its /24 (198.18.n.0/24), which holds no pod and nothing else but the host's veth. */
  String subnet() {
    return subnet;
  }

  /** As a probe peer named {@link Reachability#EXTERNAL}, IPv4 only. */
  Prober.Peer peer() {
    return new Prober.Peer(Reachability.EXTERNAL, netns(), address, null);
  }

  private void startTcp(int port) {
    ServerSocketChannel server =
        inNetns(
            () -> {
              ServerSocketChannel s = ServerSocketChannel.open();
              s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port), 256);
              return s;
            });
    servers.add(server);
    threads.add(
        Thread.ofVirtual()
            .name("ext-tcp-" + port)
            .start(
                () -> {
                  while (true) {
                    try (SocketChannel c = server.accept()) {
                      // the handshake is the answer; close at once
                    } catch (ClosedChannelException e) {
                      return;
                    } catch (IOException e) {
                      if (!server.isOpen()) {
                        return;
                      }
                    }
                  }
                }));
  }

  private interface IoWork<T> {
    T call() throws IOException;
  }

  private <T> T inNetns(IoWork<T> work) {
    try {
      return NetworkNamespace.callIn(netns(), work::call);
    } catch (IOException e) {
      throw new UncheckedIOException("server in netns " + name, e);
    }
  }

  /** Closes the servers, deletes the namespace and the veth; fails if either is left. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<String> problems = new ArrayList<>();
    for (var s : servers) {
      try {
        s.close();
      } catch (IOException e) {
        problems.add("close " + s + ": " + e);
      }
    }
    for (UdpEcho u : udpServers) {
      try {
        u.close();
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    for (Thread t : threads) {
      try {
        if (!t.join(Duration.ofSeconds(5))) {
          problems.add("server thread " + t.getName() + " did not stop");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (Host.linkExists(hostLink)) {
      runQuietly(problems, "ip", "link", "del", hostLink);
    }
    if (Files.exists(netns())) {
      runQuietly(problems, "ip", "netns", "del", name);
    }
    if (Host.linkExists(hostLink)) {
      problems.add("link " + hostLink + " still exists");
    }
    if (Files.exists(netns())) {
      problems.add("network namespace " + name + " still exists");
    }
    // a leftover keeps the index unusable to the next claim
    claim.close();
    if (!problems.isEmpty()) {
      throw new AssertionError("external peer " + name + ":\n  " + String.join("\n  ", problems));
    }
  }

  private static void runQuietly(List<String> problems, String... argv) {
    try {
      Host.run(argv);
    } catch (RuntimeException | AssertionError e) {
      problems.add(e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "external peer " + name + " (" + address + ")";
  }
}
