package io.jilium.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Real traffic between pods (and from the host) with socat and ping, run inside a pod's network
 * namespace with {@code nsenter --net=<netns>} (what {@code jilium pod exec} does, without a JVM
 * per probe). Probes return as soon as the answer is in; only an expected drop waits for its
 * (short) timeout.
 */
final class Net {
  /** Where traffic starts: a pod's netns, or the host (null netns). */
  record Origin(String netns, String name) {
    static final Origin HOST = new Origin(null, "host");

    static Origin of(Pod p) {
      return new Origin(p.netns(), p.ref());
    }
  }

  /** Ports of {@link #serverCommand()}. */
  static final int HTTP = 80;

  static final int ALT = 8080;
  static final int ECHO = 7000;
  static final int DNS = 53;
  static final int ALT_UDP = 5353;
  static final List<String> SERVER_PORTS =
      List.of("http=80/TCP", "alt=8080/TCP", "echo=7000/TCP", "dns=53/UDP", "altudp=5353/UDP");

  /** How long an expected drop is given; allowed traffic answers in milliseconds. */
  static final Duration DROP_WAIT = Duration.ofMillis(1500);

  /** How often a UDP probe sends its datagram again while no answer came. */
  static final Duration RESEND = Duration.ofSeconds(1);

  /** How long allowed traffic may take before it counts as dropped. */
  static final Duration ALLOW_WAIT = Duration.ofSeconds(10);

  enum Outcome {
    /** The server answered. */
    REPLY,
    /** The connection was refused (TCP RST, or ICMP port unreachable for UDP). */
    REFUSED,
    /** No answer within the timeout: dropped. */
    NO_REPLY
  }

  record Probe(Outcome outcome, String what, String stdout, String stderr) {
    boolean replied() {
      return outcome == Outcome.REPLY;
    }

    @Override
    public String toString() {
      return what + " -> " + outcome + (stderr.isBlank() ? "" : " (" + stderr.strip() + ")");
    }
  }

  private Net() {}

  /**
   * A pod command serving TCP 80 and 8080 (reply {@code ok-<port>} and close), TCP 7000 (echo), UDP
   * 53 and 5353 (reply {@code ok-<port>} to every datagram), IPv4 and IPv6.
   */
  static List<String> serverCommand() {
    String tcp = "socat TCP6-LISTEN:%d,ipv6only=0,fork,reuseaddr SYSTEM:'echo ok-%d'";
    String udp = "socat UDP6-RECVFROM:%d,ipv6only=0,fork,reuseaddr SYSTEM:'echo ok-%d'";
    String script =
        String.join(
                " & ",
                tcp.formatted(HTTP, HTTP),
                tcp.formatted(ALT, ALT),
                "socat TCP6-LISTEN:" + ECHO + ",ipv6only=0,fork,reuseaddr EXEC:cat",
                udp.formatted(DNS, DNS),
                udp.formatted(ALT_UDP, ALT_UDP))
            + " & wait";
    return List.of("sh", "-c", script);
  }

  /** Runs a server pod ({@link #serverCommand()}) and waits until every port listens. */
  static Pod serverPod(AgentFixture agent, String ref, String labels) {
    Pod p = agent.podRun(ref, labels, SERVER_PORTS, serverCommand());
    awaitListening(p);
    return p;
  }

  /** Polls {@code ss} inside the pod until all server ports listen (bounded). */
  static void awaitListening(Pod p) {
    awaitListening(p, List.of(HTTP, ALT, ECHO), List.of(DNS, ALT_UDP));
  }

  /** Polls {@code ss} inside the pod until these TCP and UDP ports listen (bounded, 20 s). */
  static void awaitListening(Pod p, List<Integer> tcpPorts, List<Integer> udpPorts) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      String tcp = inNetns(p.netns(), "ss", "-Hltn");
      String udp = inNetns(p.netns(), "ss", "-Hlun");
      last = tcp + udp;
      if (tcpPorts.stream().allMatch(port -> listens(tcp, port))
          && udpPorts.stream().allMatch(port -> listens(udp, port))) {
        return;
      }
      // ss itself takes a few milliseconds; a bounded number of rounds, no sleeping
    }
    throw new AssertionError(
        "servers in " + p.ref() + " did not listen within 20 s; ss shows:\n" + last);
  }

  private static boolean listens(String ss, int port) {
    for (String line : ss.split("\n")) {
      String[] cols = line.trim().split("\\s+");
      if (cols.length >= 4 && cols[3].endsWith(":" + port)) {
        return true;
      }
    }
    return false;
  }

  /** Runs a command in a network namespace and returns its stdout (empty if it failed). */
  static String inNetns(String netns, String... command) {
    try (Proc p = Proc.start(argv(netns, command))) {
      p.closeStdin();
      Optional<Integer> rc = p.waitFor(Duration.ofSeconds(10));
      return rc.isPresent() ? p.stdout() : "";
    }
  }

  static List<String> argv(String netns, String... command) {
    List<String> argv = new ArrayList<>();
    if (netns != null) {
      argv.addAll(List.of("nsenter", "--net=" + netns, "--"));
    }
    argv.addAll(List.of(command));
    return argv;
  }

  // ---- probes ----

  static String tcpAddress(String ip, int port) {
    return ip.contains(":") ? "TCP6:[" + ip + "]:" + port : "TCP4:" + ip + ":" + port;
  }

  static String udpAddress(String ip, int port) {
    return ip.contains(":") ? "UDP6:[" + ip + "]:" + port : "UDP4:" + ip + ":" + port;
  }

  /**
   * A TCP connection; the server's {@code ok-<port>} line (or any line, for the echo port) is the
   * answer.
   */
  static Probe tcp(Origin from, String ip, int port, Duration timeout) {
    long secs = Math.max(1, (timeout.toMillis() + 999) / 1000);
    String addr = tcpAddress(ip, port) + ",connect-timeout=" + (timeout.toMillis() / 1000.0);
    return probe(
        from,
        "TCP " + from.name() + " -> " + ip + ":" + port,
        "ok-" + port,
        null,
        timeout,
        "socat",
        "-T" + (secs + 1),
        "-",
        addr);
  }

  /** One UDP datagram; the server's {@code ok-<port>} datagram is the answer. */
  static Probe udp(Origin from, String ip, int port, Duration timeout) {
    long secs = Math.max(1, (timeout.toMillis() + 999) / 1000);
    return probe(
        from,
        "UDP " + from.name() + " -> " + ip + ":" + port,
        "ok-" + port,
        "hello",
        timeout,
        "socat",
        "-T" + (secs + 1),
        "-",
        udpAddress(ip, port));
  }

  private static Probe probe(
      Origin from,
      String what,
      String expect,
      String payload,
      Duration timeout,
      String... command) {
    try (Proc p = Proc.start(argv(from.netns(), command))) {
      long deadline = System.nanoTime() + timeout.toNanos();
      Optional<String> line = Optional.empty();
      int sent = 0;
      do {
        // UDP promises nothing: like any UDP client, send again when no answer came in a while
        if (payload != null && p.isAlive()) {
          try {
            p.writeLine(payload);
            sent++;
          } catch (java.io.UncheckedIOException e) {
            // socat is gone (refused); its stderr says why
          }
        }
        long left = deadline - System.nanoTime();
        Duration wait = Duration.ofNanos(payload == null ? left : Math.min(left, RESEND.toNanos()));
        line = p.awaitLine(l -> l.contains(expect), wait);
      } while (line.isEmpty() && p.isAlive() && System.nanoTime() < deadline);
      if (line.isPresent()) {
        String note = sent > 1 ? " (answered after " + sent + " datagrams)" : "";
        return new Probe(Outcome.REPLY, what + note, p.stdout(), p.stderr());
      }
      // no answer: socat may have exited with a reason (refused, timed out); let it finish
      if (p.waitFor(Duration.ofMillis(300)).isEmpty()) {
        p.kill();
      }
      String err = p.stderr();
      Outcome o = err.contains("Connection refused") ? Outcome.REFUSED : Outcome.NO_REPLY;
      return new Probe(o, what, p.stdout(), err);
    }
  }

  /**
   * True if a TCP connection to ip:port gets the server's answer within ~1.5 s (for expected
   * drops).
   */
  static boolean tcpConnect(Pod from, String ip, int port) {
    return tcp(Origin.of(from), ip, port, DROP_WAIT).replied();
  }

  /**
   * True if a UDP datagram to ip:port gets the server's answer within ~1.5 s (for expected drops).
   */
  static boolean udpProbe(Pod from, String ip, int port) {
    return udp(Origin.of(from), ip, port, DROP_WAIT).replied();
  }

  /** One echo request; true if the reply came within the timeout. */
  static boolean ping(Origin from, String ip, Duration timeout) {
    long secs = Math.max(1, (timeout.toMillis() + 999) / 1000);
    List<String> cmd =
        new ArrayList<>(List.of("ping", "-n", "-c", "1", "-W", String.valueOf(secs)));
    if (ip.contains(":")) {
      cmd.add("-6");
    }
    cmd.add(ip);
    try (Proc p = Proc.start(argv(from.netns(), cmd.toArray(String[]::new)))) {
      p.closeStdin();
      return p.waitForOrFail(timeout.plusSeconds(10)) == 0;
    }
  }

  static boolean ping(Pod from, String ip, Duration timeout) {
    return ping(Origin.of(from), ip, timeout);
  }

  // ---- assertions ----

  static void assertTcpAllowed(Origin from, String ip, int port) {
    Probe p = tcp(from, ip, port, ALLOW_WAIT);
    if (p.outcome() != Outcome.REPLY) {
      // say whether it was a one-off or stays broken: that tells a lost packet from a drop
      Probe again = tcp(from, ip, port, ALLOW_WAIT);
      throw new AssertionError(
          "expected an answer: " + p + "\n  an immediate retry: " + again + "\n" + p.stdout());
    }
  }

  static void assertTcpDropped(Origin from, String ip, int port) {
    Probe p = tcp(from, ip, port, DROP_WAIT);
    assertThat(p.outcome()).as("expected a drop (no answer): %s", p).isEqualTo(Outcome.NO_REPLY);
  }

  static void assertUdpAllowed(Origin from, String ip, int port) {
    Probe p = udp(from, ip, port, ALLOW_WAIT);
    if (p.outcome() != Outcome.REPLY) {
      Probe again = udp(from, ip, port, ALLOW_WAIT);
      throw new AssertionError("expected an answer: " + p + "\n  an immediate retry: " + again);
    }
  }

  static void assertUdpDropped(Origin from, String ip, int port) {
    Probe p = udp(from, ip, port, DROP_WAIT);
    assertThat(p.outcome()).as("expected a drop (no answer): %s", p).isEqualTo(Outcome.NO_REPLY);
  }

  static void assertPingAllowed(Origin from, String ip) {
    assertThat(ping(from, ip, ALLOW_WAIT))
        .as("ping %s -> %s should be answered", from.name(), ip)
        .isTrue();
  }

  static void assertPingDropped(Origin from, String ip) {
    assertThat(ping(from, ip, Duration.ofSeconds(1)))
        .as("ping %s -> %s should be dropped", from.name(), ip)
        .isFalse();
  }

  static void assertTcpAllowed(Pod from, String ip, int port) {
    assertTcpAllowed(Origin.of(from), ip, port);
  }

  static void assertTcpDropped(Pod from, String ip, int port) {
    assertTcpDropped(Origin.of(from), ip, port);
  }

  static void assertUdpAllowed(Pod from, String ip, int port) {
    assertUdpAllowed(Origin.of(from), ip, port);
  }

  static void assertUdpDropped(Pod from, String ip, int port) {
    assertUdpDropped(Origin.of(from), ip, port);
  }

  static void assertPingAllowed(Pod from, String ip) {
    assertPingAllowed(Origin.of(from), ip);
  }

  static void assertPingDropped(Pod from, String ip) {
    assertPingDropped(Origin.of(from), ip);
  }

  // ---- a long-lived connection ----

  /** A TCP connection from a pod to an echo server that stays open until closed. */
  static final class Connection implements AutoCloseable {
    private final Proc proc;
    private final String what;
    private int seq;

    private Connection(Proc proc, String what) {
      this.proc = proc;
      this.what = what;
    }

    static Connection open(Pod from, String ip, int port) {
      // no -T: an idle connection stays up; keepalive is not needed inside one host
      Proc p =
          Proc.start(argv(from.netns(), "socat", "-", tcpAddress(ip, port) + ",connect-timeout=5"));
      Connection c = new Connection(p, from.ref() + " -> " + ip + ":" + port);
      c.assertFlows();
      return c;
    }

    /** Sends a unique line and waits (bounded) for the echo server to send it back. */
    void assertFlows() {
      String msg = "msg-" + (++seq) + "-" + System.nanoTime();
      if (!proc.isAlive()) {
        throw new AssertionError("connection " + what + " is closed: " + proc.stderr());
      }
      proc.writeLine(msg);
      Optional<String> echoed = proc.awaitLine(msg::equals, ALLOW_WAIT);
      if (echoed.isEmpty()) {
        throw new AssertionError(
            "connection "
                + what
                + " did not echo \""
                + msg
                + "\" within "
                + ALLOW_WAIT.toSeconds()
                + " s (alive: "
                + proc.isAlive()
                + ")\n"
                + proc.stderr());
      }
    }

    @Override
    public void close() {
      proc.close();
    }
  }
}
