package io.jilium.it;

import io.jilium.bpf.netns.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Service backends that say who they are, and clients that ask them from a network namespace (a
 * pod's, an outside peer's or the host's): the answer to a connection through a service is the name
 * of the backend that served it.
 */
final class Backends {
  static final int HTTP = 80;
  static final int DNS = 53;
  static final int ECHO = 7000;

  /** The declared ports of a backend pod (named, so services can target them by name). */
  static final List<String> PORTS = List.of("http=80/TCP", "dns=53/UDP", "echo=7000/TCP");

  private Backends() {}

  /**
   * A backend pod command: TCP 80 and UDP 53 answer {@code name}; TCP 7000 answers {@code name} and
   * then echoes what it is sent; {@code extraTcpPort} (if positive) answers {@code name} too.
   */
  static List<String> command(String name, int extraTcpPort) {
    String tcp = "socat TCP6-LISTEN:%d,ipv6only=0,fork,reuseaddr SYSTEM:'echo %s'";
    StringBuilder s = new StringBuilder();
    s.append(tcp.formatted(HTTP, name));
    s.append(" & socat UDP6-RECVFROM:")
        .append(DNS)
        .append(",ipv6only=0,fork,reuseaddr SYSTEM:'echo ")
        .append(name)
        .append("'");
    s.append(" & socat TCP6-LISTEN:")
        .append(ECHO)
        .append(",ipv6only=0,fork,reuseaddr SYSTEM:'echo ")
        .append(name)
        .append("; cat'");
    if (extraTcpPort > 0) {
      s.append(" & ").append(tcp.formatted(extraTcpPort, name));
    }
    s.append(" & wait");
    return List.of("sh", "-c", s.toString());
  }

  /** Runs a backend pod named after its ref's name and waits until it listens. */
  static Pod run(AgentFixture agent, String ref, String labels) {
    return run(agent, ref, labels, PORTS, 0);
  }

  static Pod run(
      AgentFixture agent, String ref, String labels, List<String> ports, int extraTcpPort) {
    String name = ref.substring(ref.indexOf('/') + 1);
    Pod p = agent.podRun(ref, labels, ports, command(name, extraTcpPort));
    List<Integer> tcp = extraTcpPort > 0 ? List.of(HTTP, ECHO, extraTcpPort) : List.of(HTTP, ECHO);
    Net.awaitListening(p, tcp, List.of(DNS));
    return p;
  }

  /** How an attempt ended. */
  enum Outcome {
    ANSWERED,
    REFUSED,
    UNREACHABLE,
    TIMED_OUT,
    ERROR
  }

  /** An attempt's outcome and the answer (the backend's name) or the error. */
  record Answer(Outcome outcome, String text) {
    String backend() {
      if (outcome != Outcome.ANSWERED) {
        throw new AssertionError("no answer: " + this);
      }
      return text;
    }
  }

  /** A TCP connection from {@code netns} (null: the host) to ip:port; the first line read. */
  static Answer tcp(Path netns, String ip, int port, int sourcePort, Duration timeout) {
    InetAddress dst = address(ip);
    try (SocketChannel ch = open(netns, () -> SocketChannel.open(family(dst)))) {
      if (sourcePort > 0) {
        ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
        ch.bind(new InetSocketAddress(any(dst), sourcePort));
      }
      ch.socket().setSoTimeout((int) timeout.toMillis());
      ch.socket().connect(new InetSocketAddress(dst, port), (int) timeout.toMillis());
      java.io.InputStream in = ch.socket().getInputStream();
      String line = readLine(in);
      if (port != ECHO) {
        // wait for the server to close first: its side keeps TIME_WAIT, so the client may reuse
        // its source port at once (the Maglev test does)
        while (in.read() >= 0) {}
      }
      return new Answer(Outcome.ANSWERED, line);
    } catch (SocketTimeoutException e) {
      return new Answer(Outcome.TIMED_OUT, String.valueOf(e.getMessage()));
    } catch (ConnectException e) {
      String m = String.valueOf(e.getMessage());
      if (m.contains("refused")) {
        return new Answer(Outcome.REFUSED, m);
      }
      return new Answer(m.contains("unreachable") ? Outcome.UNREACHABLE : Outcome.ERROR, m);
    } catch (IOException e) {
      return new Answer(Outcome.ERROR, e.toString());
    }
  }

  /** A TCP connection to a backend's echo port, held open: it said which backend it is. */
  static final class Held implements AutoCloseable {
    private final SocketChannel ch;
    private final java.io.InputStream in;
    private final String backend;

    private Held(SocketChannel ch) throws IOException {
      this.ch = ch;
      ch.socket().setSoTimeout(5000);
      this.in = ch.socket().getInputStream();
      this.backend = readLine(in);
    }

    /** Connects from {@code netns} to ip:port (a service of echo ports) from {@code sourcePort}. */
    static Held open(Path netns, String ip, int port, int sourcePort) {
      InetAddress dst = address(ip);
      try {
        SocketChannel ch = Backends.open(netns, () -> SocketChannel.open(family(dst)));
        try {
          ch.setOption(java.net.StandardSocketOptions.SO_REUSEADDR, true);
          ch.bind(new InetSocketAddress(any(dst), sourcePort));
          ch.socket().connect(new InetSocketAddress(dst, port), 5000);
          return new Held(ch);
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("connect to " + ip + ":" + port, e);
      }
    }

    String backend() {
      return backend;
    }

    /** Sends a line and asserts it comes back: the connection still carries data. */
    void assertEchoes(String line) {
      try {
        ch.socket().getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        String back = readLine(in);
        if (!back.equals(line)) {
          throw new AssertionError("sent " + line + ", got back \"" + back + "\"");
        }
      } catch (IOException e) {
        throw new AssertionError("connection to " + backend + " no longer carries data", e);
      }
    }

    @Override
    public void close() {
      try {
        ch.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static Answer tcp(Path netns, String ip, int port) {
    return tcp(netns, ip, port, 0, Duration.ofSeconds(5));
  }

  /** Datagrams from {@code netns} to ip:port (resent each 400 ms) until one is answered. */
  static Answer udp(Path netns, String ip, int port, Duration timeout) {
    InetAddress dst = address(ip);
    try (DatagramChannel ch = open(netns, () -> DatagramChannel.open(family(dst)))) {
      ch.connect(new InetSocketAddress(dst, port));
      ch.socket().setSoTimeout(400);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        ch.write(ByteBuffer.wrap("who?\n".getBytes(StandardCharsets.UTF_8)));
        java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[512], 512);
        try {
          ch.socket().receive(in);
          return new Answer(
              Outcome.ANSWERED,
              new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8).strip());
        } catch (PortUnreachableException e) {
          return new Answer(Outcome.UNREACHABLE, "port unreachable");
        } catch (SocketTimeoutException e) {
          if (System.nanoTime() - deadline > 0) {
            return new Answer(Outcome.TIMED_OUT, "no answer within " + timeout.toMillis() + " ms");
          }
        }
      }
    } catch (PortUnreachableException e) {
      return new Answer(Outcome.UNREACHABLE, "port unreachable");
    } catch (ConnectException e) {
      String m = String.valueOf(e.getMessage());
      return new Answer(m.contains("refused") ? Outcome.REFUSED : Outcome.ERROR, m);
    } catch (IOException e) {
      return new Answer(Outcome.ERROR, e.toString());
    }
  }

  static Answer udp(Path netns, String ip, int port) {
    return udp(netns, ip, port, Duration.ofSeconds(5));
  }

  static Path netns(Pod p) {
    return Path.of(p.netns());
  }

  private interface IoOpen<T> {
    T open() throws IOException;
  }

  private static <T> T open(Path netns, IoOpen<T> open) throws IOException {
    if (netns == null) {
      return open.open();
    }
    return NetworkNamespace.callIn(netns, open::open);
  }

  private static String readLine(java.io.InputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      s.append((char) c);
    }
    return s.toString().strip();
  }

  private static InetAddress address(String ip) {
    try {
      return InetAddress.getByName(ip);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InetAddress any(InetAddress dst) throws IOException {
    return InetAddress.getByAddress(new byte[dst.getAddress().length]);
  }

  private static StandardProtocolFamily family(InetAddress a) {
    return a.getAddress().length == 16 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
  }
}
