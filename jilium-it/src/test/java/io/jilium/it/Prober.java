package io.jilium.it;

import io.jilium.bpf.netns.NetworkNamespace;
import io.jilium.it.Reachability.Cell;
import io.jilium.it.Reachability.Outcome;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.ProtocolFamily;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Probes between network namespaces from this JVM, all pairs of a matrix at once: the probe's
 * socket is opened inside the source's namespace ({@link NetworkNamespace#callIn}; the socket stays
 * there) and then used from an ordinary thread, so a probe costs a socket, not a process. ICMP
 * probes run {@code ping} in the namespace (Java has no echo-request socket).
 *
 * <p>A probe expected to be denied waits {@link #DENY_WAIT}; one expected to be answered waits up
 * to {@link #ALLOW_WAIT}, but an answered probe returns in about a millisecond. So a correct matrix
 * costs one {@code DENY_WAIT}, and only a wrong cell costs more.
 *
 * <p>Every probe uses a source port never used before from its namespace: conntrack entries of an
 * earlier allowed flow (which outlive a policy change, as in Cilium) can then never let a later
 * probe through.
 */
final class Prober {
  /** A probe's source or destination: a pod, or a namespace set up by the test itself. */
  record Peer(String name, Path netns, String ipv4, String ipv6) {
    String ip(int family) {
      String ip = family == 6 ? ipv6 : ipv4;
      if (ip == null || ip.isEmpty()) {
        throw new IllegalStateException(name + " has no IPv" + family + " address");
      }
      return ip;
    }

    static Peer of(Pod p) {
      return new Peer(p.ref(), Path.of(p.netns()), p.ipv4(), p.ipv6());
    }
  }

  /** How long silence is awaited where a drop is expected. */
  static final Duration DENY_WAIT = Duration.ofMillis(800);

  /** How long an answer is awaited where one is expected (it usually takes a millisecond). */
  static final Duration ALLOW_WAIT = Duration.ofSeconds(3);

  /** A UDP probe sends its datagram again after this much silence (once within DENY_WAIT). */
  static final Duration UDP_RESEND = Duration.ofMillis(400);

  private static final int FIRST_PORT = 20000;
  private static final int PORT_SPAN = 40000;
  private static final Map<Path, AtomicInteger> NEXT_PORT = new ConcurrentHashMap<>();
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Probes block (at most ALLOW_WAIT); one platform thread each, reused across matrices. */
  private static final ExecutorService POOL =
      Executors.newCachedThreadPool(
          r ->
              Thread.ofPlatform()
                  .daemon(true)
                  .name("jilium-it-probe-" + THREADS.incrementAndGet())
                  .unstarted(r));

  private Prober() {}

  /**
   * Probes every ordered pair of distinct peers at once ({@code peers} in the order of {@code
   * expected.peers()}), each waiting as long as its expectation calls for.
   */
  static Cell[][] matrix(List<Peer> peers, Traffic traffic, Reachability expected) {
    if (!expected.peers().equals(peers.stream().map(Peer::name).toList())) {
      throw new IllegalArgumentException(
          "peers " + peers + " do not match the matrix's " + expected.peers());
    }
    int n = peers.size();
    Cell[][] out = new Cell[n][n];
    @SuppressWarnings("unchecked")
    Future<Cell>[][] pending = new Future[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (i == j) {
          continue;
        }
        Peer from = peers.get(i);
        Peer to = peers.get(j);
        Duration wait = expected.allowed(i, j) ? ALLOW_WAIT : DENY_WAIT;
        pending[i][j] =
            POOL.submit(
                () -> {
                  long t0 = System.nanoTime();
                  Cell c = probe(from, to, traffic, wait);
                  return c.took((System.nanoTime() - t0) / 1_000_000);
                });
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        out[i][j] = i == j ? Cell.NONE : await(pending[i][j]);
      }
    }
    return out;
  }

  private static Cell await(Future<Cell> f) {
    try {
      return f.get(ALLOW_WAIT.toMillis() + 30_000, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new Cell(Outcome.ERROR, "probe did not finish within 33 s");
    } catch (ExecutionException e) {
      return new Cell(Outcome.ERROR, String.valueOf(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Cell(Outcome.ERROR, "interrupted");
    }
  }

  /** One probe from {@code from} to {@code to}'s address of the traffic's family. */
  static Cell probe(Peer from, Peer to, Traffic traffic, Duration wait) {
    String ip = to.ip(traffic.family());
    return switch (traffic.protocol()) {
      case TCP -> tcp(from, address(ip), traffic.port(), wait);
      case UDP -> udp(from, address(ip), traffic.port(), wait);
      case ICMP -> ping(from, ip, traffic.family(), wait);
    };
  }

  private static InetAddress address(String ip) {
    try {
      // a literal: no name lookup happens
      return InetAddress.getByName(ip);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + ip, e);
    }
  }

  private static ProtocolFamily family(InetAddress a) {
    return a instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
  }

  private static InetSocketAddress source(Peer from, InetAddress dst) {
    AtomicInteger next = NEXT_PORT.computeIfAbsent(from.netns(), k -> new AtomicInteger());
    int port = FIRST_PORT + Math.floorMod(next.getAndIncrement(), PORT_SPAN);
    try {
      byte[] any = new byte[dst instanceof Inet6Address ? 16 : 4];
      return new InetSocketAddress(InetAddress.getByAddress(any), port);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A TCP connection: answered once the handshake completes. */
  static Cell tcp(Peer from, InetAddress dst, int port, Duration wait) {
    SocketChannel ch;
    try {
      ch = NetworkNamespace.callIn(from.netns(), () -> SocketChannel.open(family(dst)));
    } catch (IOException | RuntimeException e) {
      return new Cell(Outcome.ERROR, "socket in " + from.netns() + ": " + e);
    }
    try (ch) {
      InetSocketAddress src = bind(ch, from, dst);
      try {
        ch.socket().connect(new InetSocketAddress(dst, port), (int) wait.toMillis());
      } catch (SocketTimeoutException e) {
        return new Cell(
            Outcome.NO_ANSWER,
            "no SYN-ACK within " + wait.toMillis() + " ms (from port " + src.getPort() + ")");
      }
      return new Cell(Outcome.ANSWERED, "");
    } catch (ConnectException e) {
      String m = String.valueOf(e.getMessage());
      return new Cell(m.contains("refused") ? Outcome.REFUSED : Outcome.ERROR, m);
    } catch (IOException e) {
      return new Cell(Outcome.ERROR, e.toString());
    }
  }

  /**
   * A UDP datagram to an echo server: answered when the same bytes come back; sent again after
   * {@link #UDP_RESEND} of silence, as UDP clients do.
   */
  static Cell udp(Peer from, InetAddress dst, int port, Duration wait) {
    DatagramChannel ch;
    try {
      ch = NetworkNamespace.callIn(from.netns(), () -> DatagramChannel.open(family(dst)));
    } catch (IOException | RuntimeException e) {
      return new Cell(Outcome.ERROR, "socket in " + from.netns() + ": " + e);
    }
    try (ch) {
      InetSocketAddress src = bind(ch, from, dst);
      ch.connect(new InetSocketAddress(dst, port));
      byte[] payload =
          ("probe "
                  + from.name()
                  + ":"
                  + src.getPort()
                  + " -> "
                  + dst.getHostAddress()
                  + ":"
                  + port)
              .getBytes(StandardCharsets.UTF_8);
      long deadline = System.nanoTime() + wait.toNanos();
      int sent = 0;
      while (true) {
        ch.write(ByteBuffer.wrap(payload));
        sent++;
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return new Cell(
              Outcome.NO_ANSWER, sent + " datagrams from port " + src.getPort() + ", no echo");
        }
        ch.socket().setSoTimeout((int) Math.max(1, Math.min(left, UDP_RESEND.toMillis())));
        DatagramPacket reply =
            new DatagramPacket(new byte[payload.length + 64], payload.length + 64);
        try {
          ch.socket().receive(reply);
        } catch (SocketTimeoutException e) {
          if (System.nanoTime() - deadline >= 0) {
            return new Cell(
                Outcome.NO_ANSWER,
                sent
                    + " datagrams from port "
                    + src.getPort()
                    + ", no echo within "
                    + wait.toMillis()
                    + " ms");
          }
          continue;
        }
        byte[] got = Arrays.copyOf(reply.getData(), reply.getLength());
        if (Arrays.equals(got, payload)) {
          return new Cell(Outcome.ANSWERED, "");
        }
        return new Cell(
            Outcome.ERROR, "unexpected answer: " + new String(got, StandardCharsets.UTF_8));
      }
    } catch (PortUnreachableException e) {
      return new Cell(Outcome.REFUSED, "port unreachable");
    } catch (IOException e) {
      return new Cell(Outcome.ERROR, e.toString());
    }
  }

  private static InetSocketAddress bind(
      java.nio.channels.NetworkChannel ch, Peer from, InetAddress dst) throws IOException {
    // a port used by nothing else in this namespace; a few more tries in case something is
    for (int attempt = 0; ; attempt++) {
      InetSocketAddress src = source(from, dst);
      try {
        ch.bind(src);
        return src;
      } catch (BindException e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  /** One echo request with {@code ping}, run in the source's namespace. */
  static Cell ping(Peer from, String ip, int family, Duration wait) {
    String secs = String.valueOf(wait.toMillis() / 1000.0);
    List<String> argv =
        Net.argv(
            from.netns().toString(),
            "ping",
            family == 6 ? "-6" : "-4",
            "-n",
            "-q",
            "-c",
            "1",
            "-W",
            secs,
            ip);
    try (Proc p = Proc.start(argv)) {
      p.closeStdin();
      int rc = p.waitForOrFail(wait.plusSeconds(10));
      return switch (rc) {
        case 0 -> new Cell(Outcome.ANSWERED, "");
        case 1 -> new Cell(Outcome.NO_ANSWER, "no echo reply within " + secs + " s");
        default -> new Cell(Outcome.ERROR, "ping exited " + rc + ": " + p.stderr().strip());
      };
    }
  }
}
