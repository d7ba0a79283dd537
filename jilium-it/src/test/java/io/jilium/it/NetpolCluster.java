package io.jilium.it;

import io.jilium.it.Reachability.Cell;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The model of the Kubernetes NetworkPolicy e2e tests on one agent, set up once per test class:
 * namespaces x, y and z (labelled {@code ns=<name>}, plus {@code kubernetes.io/metadata.name} which
 * every namespace has), pods a, b and c in each (labelled {@code pod=<name>}), every pod serving
 * TCP and UDP on ports 80 and 81 with the named ports {@code serve-80-tcp}, {@code serve-80-udp},
 * {@code serve-81-tcp} and {@code serve-81-udp}. Optionally an {@link ExternalPeer} outside the
 * cluster.
 *
 * <p>Register it after the agent ({@code @Order(2)}, the {@link AgentFixture} with {@code
 * sharedPods()} at {@code @Order(1)}): after each test it puts pod and namespace labels back (the
 * agent fixture then deletes every policy), so the pods serve every test of the class. {@link
 * #validate} probes every ordered pair of distinct peers at once and fails with the expected and
 * observed truth tables on any wrong cell.
 */
final class NetpolCluster
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {
  static final List<String> NAMESPACES = List.of("x", "y", "z");
  static final List<String> POD_NAMES = List.of("a", "b", "c");
  static final List<Integer> PORTS = List.of(80, 81);

  private final AgentFixture agent;
  private final boolean withExternal;
  private final Map<String, Pod> pods = new LinkedHashMap<>();
  private final Set<String> relabelled = new LinkedHashSet<>();
  private final Set<String> namespacesChanged = new LinkedHashSet<>();
  private final List<UdpEcho> udpServers = new ArrayList<>();
  private ExternalPeer external;
  private volatile String currentTest = "";

  private NetpolCluster(AgentFixture agent, boolean withExternal) {
    this.agent = agent;
    this.withExternal = withExternal;
  }

  /** The nine pods. */
  static NetpolCluster on(AgentFixture agent) {
    return new NetpolCluster(agent, false);
  }

  /** The nine pods and an external peer (see {@link ExternalPeer}). */
  static NetpolCluster withExternalPeer(AgentFixture agent) {
    return new NetpolCluster(agent, true);
  }

  // ---- lifecycle ----

  @Override
  public void beforeAll(ExtensionContext context) {
    long t0 = System.nanoTime();
    agent.start();
    agent.apply(namespaces(Map.of()));
    List<String> ports = new ArrayList<>();
    for (int port : PORTS) {
      ports.add("serve-" + port + "-tcp=" + port + "/TCP");
      ports.add("serve-" + port + "-udp=" + port + "/UDP");
    }
    for (String ns : NAMESPACES) {
      for (String name : POD_NAMES) {
        Pod p = agent.podRun(ns + "/" + name, "pod=" + name, ports, serverCommand());
        pods.put(p.ref(), p);
        for (int port : PORTS) {
          udpServers.add(UdpEcho.dualStack(java.nio.file.Path.of(p.netns()), port));
        }
      }
    }
    for (Pod p : pods.values()) {
      Net.awaitListening(p, PORTS, PORTS);
    }
    if (withExternal) {
      external = ExternalPeer.create("jlx-");
    }
    log("9 pods%s ready in %d ms", withExternal ? " and " + external : "", since(t0));
  }

  /**
   * TCP echo servers on ports 80 and 81, IPv4 and IPv6, with a large backlog: eight clients connect
   * at the same moment. UDP is echoed by {@link UdpEcho} sockets of this JVM in the pod.
   */
  private static List<String> serverCommand() {
    List<String> servers = new ArrayList<>();
    for (int port : PORTS) {
      servers.add(
          "socat -T2 TCP6-LISTEN:%d,ipv6only=0,fork,reuseaddr,backlog=256 PIPE".formatted(port));
    }
    return List.of("sh", "-c", String.join(" & ", servers) + " & wait");
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    currentTest = context.getRequiredTestMethod().getName();
  }

  /** Puts pod and namespace labels back after each test (policies: the agent fixture). */
  @Override
  public void afterEach(ExtensionContext context) {
    for (String ref : List.copyOf(relabelled)) {
      restoreLabels(ref);
    }
    if (!namespacesChanged.isEmpty()) {
      agent.apply(namespaces(Map.of()));
      namespacesChanged.clear();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    // every server is closed even if one fails: an open socket keeps its pod's namespace alive
    List<String> problems = new ArrayList<>();
    for (UdpEcho s : udpServers) {
      try {
        s.close();
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    if (external != null) {
      external.close();
    }
    if (!problems.isEmpty()) {
      throw new AssertionError("UDP echo servers:\n  " + String.join("\n  ", problems));
    }
  }

  // ---- the model ----

  /** The nine pods, x/a .. z/c. */
  List<String> podNames() {
    return List.copyOf(pods.keySet());
  }

  /** Everything allowed between the nine pods. */
  Reachability reachability() {
    return new Reachability(podNames());
  }

  /** Everything allowed between the nine pods and the external peer. */
  Reachability reachabilityWithExternal() {
    List<String> peers = new ArrayList<>(podNames());
    peers.add(Reachability.EXTERNAL);
    return new Reachability(peers);
  }

  Pod pod(String ref) {
    Pod p = pods.get(ref);
    if (p == null) {
      throw new IllegalArgumentException("pod " + ref + " (expected one of " + pods.keySet() + ")");
    }
    return p;
  }

  /** A pod's IPv4 address as a /32, or its IPv6 address as a /128. */
  String hostCidr(String ref, int family) {
    return family == 6 ? pod(ref).ipv6() + "/128" : pod(ref).ipv4() + "/32";
  }

  ExternalPeer external() {
    if (external == null) {
      throw new IllegalStateException("this cluster has no external peer");
    }
    return external;
  }

  // ---- changes ----

  /** {@code jilium apply}: returns once the datapath enforces it. */
  void apply(String yaml) {
    agent.apply(yaml);
  }

  /** {@code jilium delete -f}. */
  void delete(String yaml) {
    agent.delete(yaml);
  }

  /** {@code jilium pod label REF CHANGES... --overwrite}; undone after the test. */
  void label(String ref, String... changes) {
    pod(ref);
    relabelled.add(ref);
    List<String> args = new ArrayList<>(List.of("pod", "label", ref));
    args.addAll(List.of(changes));
    args.add("--overwrite");
    agent.cli(args.toArray(String[]::new)).assertOk();
  }

  /**
   * Applies the three Namespaces with their model labels plus {@code extra} for some (the others
   * get their model labels back); undone after the test.
   */
  void labelNamespaces(Map<String, Map<String, String>> extra) {
    namespacesChanged.addAll(extra.keySet());
    agent.apply(namespaces(extra));
  }

  /** {@link #labelNamespaces} for one namespace. */
  void labelNamespace(String ns, Map<String, String> extra) {
    labelNamespaces(Map.of(ns, extra));
  }

  private void restoreLabels(String ref) {
    Pod original = pod(ref);
    Pod now =
        agent
            .pod(ref)
            .orElseThrow(() -> new AssertionError("pod " + ref + " vanished during the test"));
    List<String> args = new ArrayList<>(List.of("pod", "label", ref));
    for (String k : now.labels().keySet()) {
      if (!original.labels().containsKey(k)) {
        args.add(k + "-");
      }
    }
    original.labels().forEach((k, v) -> args.add(k + "=" + v));
    args.add("--overwrite");
    agent.cli(args.toArray(String[]::new)).assertOk();
    relabelled.remove(ref);
  }

  /** The three namespaces with their model labels, plus extra labels for some. */
  private static String namespaces(Map<String, Map<String, String>> extra) {
    List<String> docs = new ArrayList<>();
    for (String ns : NAMESPACES) {
      Map<String, String> labels = new TreeMap<>(extra.getOrDefault(ns, Map.of()));
      labels.put("ns", ns);
      StringBuilder b =
          new StringBuilder(
              """
              apiVersion: v1
              kind: Namespace
              metadata:
                name: %s
                labels:
              """
                  .formatted(ns));
      labels.forEach((k, v) -> b.append("    ").append(k).append(": \"").append(v).append("\"\n"));
      docs.add(b.toString());
    }
    return String.join("---\n", docs);
  }

  // ---- probing ----

  /**
   * Probes {@code traffic} between every ordered pair of distinct peers of {@code expected} (all at
   * once) and fails, printing the expected, observed and comparison truth tables, if any cell
   * differs. {@code step} names the moment in the test, for the message.
   */
  void validate(String step, Traffic traffic, Reachability expected) {
    List<Prober.Peer> peers = new ArrayList<>();
    for (String name : expected.peers()) {
      peers.add(name.equals(Reachability.EXTERNAL) ? external().peer() : Prober.Peer.of(pod(name)));
    }
    long t0 = System.nanoTime();
    Cell[][] observed = Prober.matrix(peers, traffic, expected);
    List<String> wrong = expected.wrongCells(observed);
    int cells = peers.size() * (peers.size() - 1);
    log(
        "%s: %s, %s: %d/%d cells as expected (%d ms; slowest answer %s)",
        currentTest,
        step,
        traffic,
        cells - wrong.size(),
        cells,
        since(t0),
        slowestAnswer(expected.peers(), observed));
    if (Boolean.getBoolean("jilium.it.netpol.times")) {
      StringBuilder b = new StringBuilder("probe times (ms), rows: from\n");
      for (Cell[] row : observed) {
        for (Cell c : row) {
          b.append("%6d".formatted(c.millis()));
        }
        b.append('\n');
      }
      log("%s", b);
    }
    if (!wrong.isEmpty()) {
      throw new AssertionError(
          step
              + ", "
              + traffic
              + ": "
              + wrong.size()
              + " of "
              + cells
              + " cells wrong (rows: from, columns: to; . answered, X no answer, R refused, E"
              + " error)\nexpected:\n"
              + expected.expectedTable()
              + "observed:\n"
              + expected.observedTable(observed)
              + "comparison (X: wrong):\n"
              + expected.comparisonTable(observed)
              + "wrong cells:\n  "
              + String.join("\n  ", wrong)
              + flowsOfUnansweredCells(peers, traffic, expected, observed));
    }
  }

  /**
   * The agent's flows between the peers of the first few cells that should have answered and did
   * not, both ways: whether the datagrams were dropped (and why), delivered, or never seen.
   */
  private String flowsOfUnansweredCells(
      List<Prober.Peer> peers, Traffic traffic, Reachability expected, Cell[][] observed) {
    StringBuilder b = new StringBuilder();
    int shown = 0;
    for (int i = 0; i < peers.size() && shown < 3; i++) {
      for (int j = 0; j < peers.size() && shown < 3; j++) {
        if (i == j
            || !expected.allowed(i, j)
            || observed[i][j].outcome() == Reachability.Outcome.ANSWERED) {
          continue;
        }
        shown++;
        String from = peers.get(i).ip(traffic.family());
        String to = peers.get(j).ip(traffic.family());
        b.append("\nflows ")
            .append(peers.get(i).name())
            .append(" <-> ")
            .append(peers.get(j).name())
            .append(" (the agent's last 40 each way):\n");
        for (String[] pair : List.of(new String[] {from, to}, new String[] {to, from})) {
          try {
            CliResult r =
                agent.cli("observe", "--last", "40", "--from-ip", pair[0], "--to-ip", pair[1]);
            b.append(r.exitCode() == 0 ? r.stdout() : "  observe failed: " + r.stderr());
          } catch (RuntimeException | AssertionError e) {
            // the tables above are the failure; flows are a bonus
            b.append("  observe failed: ").append(e).append('\n');
          }
        }
      }
    }
    return b.toString();
  }

  /** {@link #validate(String, Traffic, Reachability)} for a test with one step. */
  void validate(Traffic traffic, Reachability expected) {
    validate("policy applied", traffic, expected);
  }

  private static String slowestAnswer(List<String> peers, Cell[][] observed) {
    String slowest = "none";
    long max = -1;
    for (int i = 0; i < observed.length; i++) {
      for (int j = 0; j < observed.length; j++) {
        Cell c = observed[i][j];
        if (c.outcome() == Reachability.Outcome.ANSWERED && c.millis() > max) {
          max = c.millis();
          slowest = peers.get(i) + " -> " + peers.get(j) + " " + c.millis() + " ms";
        }
      }
    }
    return slowest;
  }

  private static long since(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static void log(String format, Object... args) {
    System.out.println("[netpol] " + format.formatted(args));
  }
}
