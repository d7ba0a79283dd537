package io.jilium.bpf.netlink;

import static io.jilium.bpf.netlink.Rtnl.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jilium.bpf.netns.NetworkNamespace;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A NETLINK_ROUTE socket and the rtnetlink operations Jilium needs: links (veth pairs), addresses,
 * routes and neighbour entries.
 *
 * <p>A socket acts on the network namespace it was created in, for its whole life: {@link #open()}
 * uses the calling thread's namespace, {@link #openIn(Path)} another one; after that it may be used
 * from any thread. Every operation is a synchronous request: it sends one message with a fresh
 * sequence number and reads until the kernel's acknowledgement (or NLMSG_DONE for a dump), so a
 * failure is reported by the call that caused it, as an {@link ErrnoException} naming the request
 * and its subject ({@code RTM_NEWLINK(veth lxc1a2b/eth0): EEXIST}) with the kernel's extended-ack
 * text when it gives one. Requests are serialized on the socket: it is safe to share between
 * threads, though meant for one owner, and concurrent callers simply wait for each other. Replies
 * time out after {@link #REPLY_TIMEOUT_SECONDS} seconds (EAGAIN).
 *
 * <p>Closing is explicit and idempotent; the socket is not closed by the garbage collector.
 */
public final class Netlink implements AutoCloseable {
  /** How long a request waits for each part of the kernel's reply. */
  public static final int REPLY_TIMEOUT_SECONDS = 5;

  /** Large enough for any single rtnetlink datagram (the kernel sends dumps in at most 32 KiB). */
  private static final int RECEIVE_BUFFER = 64 * 1024;

  /** Dumps interrupted by concurrent changes (NLM_F_DUMP_INTR) are retried this many times. */
  private static final int DUMP_ATTEMPTS = 5;

  private final String where;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment receive = arena.allocate(RECEIVE_BUFFER, 8);
  private int fd;
  private int seq;

  private Netlink(int fd, String where) {
    this.fd = fd;
    this.where = where;
  }

  /** Opens a socket in the calling thread's network namespace. */
  public static Netlink open() {
    return new Netlink(openSocket(), "");
  }

  /**
   * Opens a socket in the namespace at {@code netns} (a /var/run/netns file or /proc/PID/ns/net).
   * The socket is created on a thread inside that namespace and acts there for good.
   */
  public static Netlink openIn(Path netns) {
    Objects.requireNonNull(netns, "netns");
    return new Netlink(NetworkNamespace.callIn(netns, Netlink::openSocket), " in " + netns);
  }

  private static int openSocket() {
    int fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NETLINK_ROUTE);
    try (Arena a = Arena.ofConfined()) {
      // Error acks carry only the request header, plus the kernel's message text.
      LibC.setsockoptInt(fd, LibC.SOL_NETLINK, NETLINK_CAP_ACK, 1);
      LibC.setsockoptInt(fd, LibC.SOL_NETLINK, NETLINK_EXT_ACK, 1);
      MemorySegment timeval = a.allocate(16, 8); // struct timeval { tv_sec; tv_usec; }
      timeval.set(JAVA_LONG, 0, REPLY_TIMEOUT_SECONDS);
      LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval);
      MemorySegment sockaddr = a.allocate(12, 4); // struct sockaddr_nl: family, pad, pid, groups
      sockaddr.set(JAVA_SHORT, 0, (short) LibC.AF_NETLINK);
      LibC.bind(fd, sockaddr);
      return fd;
    } catch (RuntimeException | Error e) {
      try {
        LibC.close(fd);
      } catch (ErrnoException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  // ------------------------------------------------------------------ links

  /** The link named {@code name}, or empty if there is none. */
  public Optional<Link> link(String name) {
    checkName(name, "link name");
    return getLink(RtnlCodec.getLink(name), name);
  }

  /** The link with ifindex {@code index}, or empty if there is none. */
  public Optional<Link> link(int index) {
    return getLink(RtnlCodec.getLink(index), "ifindex " + index);
  }

  private Optional<Link> getLink(NetlinkEncoder request, String subject) {
    try {
      List<NetlinkMessage> reply = request(request, subject);
      return reply.stream()
          .filter(m -> m.type() == RTM_NEWLINK)
          .findFirst()
          .map(RtnlCodec::decodeLink);
    } catch (ErrnoException e) {
      if (e.errno() == Errno.ENODEV) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** All links, in ifindex order. */
  public List<Link> links() {
    List<Link> out = new ArrayList<>();
    for (NetlinkMessage m : dump(RtnlCodec.dumpLinks(), "links")) {
      if (m.type() == RTM_NEWLINK) {
        out.add(RtnlCodec.decodeLink(m));
      }
    }
    return out;
  }

  /**
   * Creates a veth pair, {@code ip link add HOST type veth peer name PEER netns NS}: the peer is
   * created directly inside {@code peerNetns} (IFLA_NET_NS_FD), never visible here. Both ends get
   * {@code mtu} and are left down.
   *
   * @param peerNetns the peer's namespace, or null for this socket's namespace
   * @param mtu the MTU of both ends, or 0 for the kernel's default (1500)
   * @param hostMac the host end's MAC, or null for a random one
   * @param peerMac the peer's MAC, or null for a random one
   * @return the host end
   * @throws IllegalArgumentException if a name is not a valid device name (1-15 bytes, no '/', ':'
   *     or whitespace)
   * @throws ErrnoException EEXIST if either name is taken in its namespace
   */
  public Link createVeth(
      String hostName,
      String peerName,
      Path peerNetns,
      int mtu,
      MacAddress hostMac,
      MacAddress peerMac) {
    checkName(hostName, "veth name");
    checkName(peerName, "veth peer name");
    if (mtu < 0) {
      throw new IllegalArgumentException("veth " + hostName + ": mtu " + mtu + " (expected: >= 0)");
    }
    String subject =
        "veth " + hostName + "/" + peerName + (peerNetns == null ? "" : " peer in " + peerNetns);
    if (peerNetns == null) {
      request(RtnlCodec.newVeth(hostName, peerName, -1, mtu, hostMac, peerMac), subject);
    } else {
      try (LibC.Fd ns = LibC.openReadOnly(peerNetns.toString())) {
        request(RtnlCodec.newVeth(hostName, peerName, ns.get(), mtu, hostMac, peerMac), subject);
      }
    }
    return link(hostName)
        .orElseThrow(
            () ->
                new ErrnoException(
                    "RTM_GETLINK(" + hostName + where + ")",
                    Errno.ENODEV,
                    "veth vanished right after it was created"));
  }

  /** Brings the link up ({@code ip link set dev X up}). */
  public void setUp(int ifindex) {
    request(RtnlCodec.setLink(ifindex, IFF_UP, IFF_UP, 0, null), "ifindex " + ifindex + " up");
  }

  /** Brings the link down. */
  public void setDown(int ifindex) {
    request(RtnlCodec.setLink(ifindex, 0, IFF_UP, 0, null), "ifindex " + ifindex + " down");
  }

  /** Sets the link's MTU. */
  public void setMtu(int ifindex, int mtu) {
    if (mtu <= 0) {
      throw new IllegalArgumentException(
          "ifindex " + ifindex + ": mtu " + mtu + " (expected: > 0)");
    }
    request(RtnlCodec.setLink(ifindex, 0, 0, mtu, null), "ifindex " + ifindex + " mtu " + mtu);
  }

  /** Sets the link's MAC address. */
  public void setMac(int ifindex, MacAddress mac) {
    Objects.requireNonNull(mac, "mac");
    request(RtnlCodec.setLink(ifindex, 0, 0, 0, mac), "ifindex " + ifindex + " address " + mac);
  }

  /**
   * Deletes the link named {@code name} (for a veth, both ends).
   *
   * @return false if there was no such link
   */
  public boolean deleteLink(String name) {
    checkName(name, "link name");
    return deleteIfPresent(RtnlCodec.deleteLink(name), name, Errno.ENODEV);
  }

  /** Deletes the link with ifindex {@code ifindex}; false if there was none. */
  public boolean deleteLink(int ifindex) {
    return deleteIfPresent(RtnlCodec.deleteLink(ifindex), "ifindex " + ifindex, Errno.ENODEV);
  }

  // ------------------------------------------------------------------ addresses

  /**
   * Assigns {@code address/prefixLength} to the link, or updates it if the link has it already
   * ({@code ip address replace}). The kernel adds the prefix route (unless /32 or /128).
   *
   * @param noDad for IPv6: skip duplicate address detection (IFA_F_NODAD), so the address is usable
   *     at once instead of "tentative" for a second or more
   */
  public void addAddress(int ifindex, InetAddress address, int prefixLength, boolean noDad) {
    Objects.requireNonNull(address, "address");
    int bits = address.getAddress().length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException(
          address.getHostAddress()
              + ": prefix length "
              + prefixLength
              + " (expected: 0-"
              + bits
              + ")");
    }
    int flags = noDad ? Address.IFA_F_NODAD : 0;
    request(
        RtnlCodec.newAddress(ifindex, address, prefixLength, flags, Scope.UNIVERSE.value()),
        "ifindex " + ifindex + " " + address.getHostAddress() + "/" + prefixLength);
  }

  /** Removes an address from the link; false if the link did not have it. */
  public boolean deleteAddress(int ifindex, InetAddress address, int prefixLength) {
    return deleteIfPresent(
        RtnlCodec.deleteAddress(ifindex, address, prefixLength),
        "ifindex " + ifindex + " " + address.getHostAddress() + "/" + prefixLength,
        Errno.EADDRNOTAVAIL);
  }

  /** Every IPv4 and IPv6 address of every link. */
  public List<Address> addresses() {
    List<Address> out = new ArrayList<>();
    for (NetlinkMessage m : dump(RtnlCodec.dumpAddresses(), "addresses")) {
      if (m.type() == RTM_NEWADDR) {
        RtnlCodec.decodeAddress(m).ifPresent(out::add);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ routes

  /** Adds the route, or replaces the one with the same destination, table and metric. */
  public void replaceRoute(Route route) {
    Objects.requireNonNull(route, "route");
    request(RtnlCodec.route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, route), route.toString());
  }

  /**
   * Deletes the route matching {@code route}'s destination, table, protocol, gateway, output device
   * and (if non-zero) metric.
   *
   * @return false if there was no such route
   */
  public boolean deleteRoute(Route route) {
    Objects.requireNonNull(route, "route");
    try {
      request(RtnlCodec.route(RTM_DELROUTE, 0, route), route.toString());
      return true;
    } catch (ErrnoException e) {
      // IPv4 says ESRCH, IPv6 ENOENT.
      if (e.errno() == Errno.ESRCH || e.errno() == Errno.ENOENT) {
        return false;
      }
      throw e;
    }
  }

  /**
   * The unicast routes of the main table for {@code family} ({@link LibC#AF_INET} or {@link
   * LibC#AF_INET6}), including the kernel's own.
   */
  public List<Route> routes(int family) {
    return routes(family, Route.TABLE_MAIN);
  }

  /** The unicast routes of {@code table} for {@code family}. */
  public List<Route> routes(int family, int table) {
    if (family != LibC.AF_INET && family != LibC.AF_INET6) {
      throw new IllegalArgumentException("family: " + family + " (expected: 2 or 10)");
    }
    List<Route> out = new ArrayList<>();
    for (NetlinkMessage m : dump(RtnlCodec.dumpRoutes(family), "routes")) {
      if (m.type() == RTM_NEWROUTE) {
        RtnlCodec.decodeRoute(m, table).ifPresent(out::add);
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ neighbours

  /**
   * Sets the neighbour entry {@code ip -> mac} on the link ({@code ip neigh replace}).
   *
   * @param permanent NUD_PERMANENT (never expires, never probed) rather than NUD_REACHABLE
   */
  public void replaceNeighbor(int ifindex, InetAddress ip, MacAddress mac, boolean permanent) {
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(mac, "mac");
    request(
        RtnlCodec.newNeighbor(ifindex, ip, mac, permanent),
        "ifindex " + ifindex + " " + ip.getHostAddress() + " lladdr " + mac);
  }

  /** Deletes the neighbour entry for {@code ip} on the link; false if there was none. */
  public boolean deleteNeighbor(int ifindex, InetAddress ip) {
    Objects.requireNonNull(ip, "ip");
    return deleteIfPresent(
        RtnlCodec.deleteNeighbor(ifindex, ip),
        "ifindex " + ifindex + " " + ip.getHostAddress(),
        Errno.ENOENT);
  }

  // ------------------------------------------------------------------ the exchange

  private boolean deleteIfPresent(NetlinkEncoder request, String subject, int absentErrno) {
    try {
      request(request, subject);
      return true;
    } catch (ErrnoException e) {
      if (e.errno() == absentErrno) {
        return false;
      }
      throw e;
    }
  }

  /** Sends a request and waits for its acknowledgement; returns any replies before it. */
  private List<NetlinkMessage> request(NetlinkEncoder request, String subject) {
    return exchange(request, Rtnl.typeName(request.type()) + "(" + subject + where + ")", false);
  }

  /** Sends a dump request and collects the replies until NLMSG_DONE, retrying interrupted dumps. */
  private List<NetlinkMessage> dump(NetlinkEncoder request, String subject) {
    String what = Rtnl.typeName(request.type()) + "(dump " + subject + where + ")";
    for (int attempt = 1; ; attempt++) {
      try {
        return exchange(request, what, true);
      } catch (DumpInterruptedException e) {
        if (attempt == DUMP_ATTEMPTS) {
          throw new ErrnoException(
              what,
              Errno.EAGAIN,
              "dump interrupted by concurrent changes " + DUMP_ATTEMPTS + " times");
        }
      }
    }
  }

  private synchronized List<NetlinkMessage> exchange(
      NetlinkEncoder request, String what, boolean dump) {
    int sock = fd();
    int mySeq = ++seq;
    byte[] bytes = request.finish(mySeq);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment out = a.allocate(bytes.length, 4);
      MemorySegment.copy(bytes, 0, out, JAVA_BYTE, 0, bytes.length);
      LibC.send(sock, out, bytes.length, 0, what);
    }
    Replies replies = new Replies(mySeq, what, dump);
    while (!replies.complete()) {
      long n = LibC.recv(sock, receive, LibC.MSG_TRUNC, what);
      if (n > RECEIVE_BUFFER) {
        throw new ErrnoException(what, Errno.ENOBUFS, "reply of " + n + " bytes truncated");
      }
      byte[] datagram = receive.asSlice(0, n).toArray(JAVA_BYTE);
      replies.accept(NetlinkMessage.parseAll(ByteBuffer.wrap(datagram)));
    }
    return replies.messages();
  }

  private synchronized int fd() {
    if (fd < 0) {
      throw new IllegalStateException("netlink socket" + where + " is closed");
    }
    return fd;
  }

  /** Closes the socket; idempotent. */
  @Override
  public synchronized void close() {
    if (fd >= 0) {
      int n = fd;
      fd = -1;
      try {
        LibC.close(n);
      } finally {
        arena.close();
      }
    }
  }

  @Override
  public String toString() {
    return "Netlink[fd=" + fd + where + "]";
  }

  /**
   * Validates a device name as the kernel's dev_valid_name does: 1-15 bytes, not "." or "..", no
   * '/', ':' or whitespace.
   */
  static void checkName(String name, String what) {
    Objects.requireNonNull(name, what);
    int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    boolean bad =
        bytes == 0
            || bytes > IFNAME_MAX
            || name.equals(".")
            || name.equals("..")
            || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c));
    if (bad) {
      throw new IllegalArgumentException(
          what
              + ": '"
              + name
              + "' ("
              + bytes
              + " bytes; expected: 1-15 bytes, no '/', ':' or whitespace)");
    }
  }

  /** Thrown inside a dump when the kernel flags it inconsistent, to make the caller retry. */
  static final class DumpInterruptedException extends RuntimeException {
    DumpInterruptedException(String what) {
      super(what + ": dump interrupted", null, false, false);
    }
  }
}
