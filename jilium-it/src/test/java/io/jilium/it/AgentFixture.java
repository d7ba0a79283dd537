package io.jilium.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A real Jilium agent in its own process, for one test class: register it as a static field with
 * {@code @RegisterExtension}.
 *
 * <p>Each fixture gets a unique node name ({@code it-<6 hex>}), its own state directory, socket and
 * log under a temporary directory, the shared bpffs root {@code /sys/fs/bpf/jilium}, and a pod CIDR
 * pair no other running fixture (in this JVM or any other on the machine) holds: index {@code n} in
 * 1..254 gives {@code 10.230.n.0/24} and {@code fd00:10:230::n:0/120}, claimed with a file lock
 * under {@code /run/jilium-it} that the kernel releases if the JVM dies.
 *
 * <p>After each test the agent is brought back to empty (pods and policies deleted; restarted if a
 * test left it dead). After the class the agent is stopped, {@code agent --cleanup} runs with the
 * same flags, and the fixture asserts that nothing of this node is left: no {@code jl-<node>-*}
 * network namespace, no pinned directory, no veth it created, no route into its CIDRs, no pod
 * process, no state directory and no socket. The agent's log is printed when anything fails.
 */
final class AgentFixture
    implements BeforeAllCallback, AfterAllCallback, AfterEachCallback, TestWatcher {
  static final Path BPF_ROOT = Path.of("/sys/fs/bpf/jilium");
  private static final Path NETNS_DIR = Path.of("/run/netns");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

  private final List<String> extraFlags;
  private String node;
  private int cidrIndex;
  private HostIndexClaim claim;
  private Path dir;
  private Path stateDir;
  private Path socket;
  private Path logFile;
  private Proc agent;
  private boolean started;
  private boolean tornDown;
  private boolean failed;
  private volatile boolean podsTouched;
  private volatile boolean policiesTouched;
  private Thread shutdownHook;

  /** Host-side veths and pod processes this node ever had: checked after cleanup. */
  private final Set<String> links = Collections.synchronizedSet(new LinkedHashSet<>());

  private final Set<Long> podPids = Collections.synchronizedSet(new LinkedHashSet<>());
  private final Set<String> netnsPaths = Collections.synchronizedSet(new LinkedHashSet<>());

  private final boolean ipv6;

  /** Pods survive between tests (deleted only at teardown): see {@link #sharedPods()}. */
  private volatile boolean sharedPods;

  /** A dual-stack agent with these extra flags (e.g. {@code --policy-enforcement always}). */
  AgentFixture(String... extraAgentFlags) {
    this(true, extraAgentFlags);
  }

  private AgentFixture(boolean ipv6, String... extraAgentFlags) {
    this.ipv6 = ipv6;
    this.extraFlags = List.of(extraAgentFlags);
  }

  /**
   * Keeps pods between the tests of the class instead of deleting them after each test, for classes
   * that set up their pods once (e.g. in a {@code BeforeAllCallback}) and reset them themselves.
   * Policies are still deleted after each test; pods are deleted at teardown.
   */
  AgentFixture sharedPods() {
    sharedPods = true;
    return this;
  }

  /** An agent with IPv4 only ({@code --pod-cidr-v6 none}). */
  static AgentFixture ipv4Only(String... extraAgentFlags) {
    return new AgentFixture(false, extraAgentFlags);
  }

  // ---- JUnit callbacks ----

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (tornDown) {
      return;
    }
    try {
      reset();
    } catch (RuntimeException | AssertionError e) {
      failed = true;
      throw e;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    teardown();
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    failed = true;
    printLog("test " + context.getDisplayName() + " failed");
    if (isRunning()) {
      // the datapath's view right after the failure: drop counters and tracked connections
      try {
        System.err.println("[jilium-it] drops: " + status().path("drops"));
        System.err.println("[jilium-it] bpf ct list:\n" + cli("bpf", "ct", "list").stdout());
      } catch (RuntimeException | AssertionError e) {
        System.err.println("[jilium-it] no status after the failure: " + e.getMessage());
      }
    }
  }

  // ---- lifecycle ----

  /** Claims a node name and CIDRs, starts the agent and waits until it serves. */
  synchronized void start() {
    if (started) {
      return;
    }
    Preflight.check();
    started = true;
    try {
      node =
          "it-"
              + HexFormat.of()
                  .toHexDigits(ThreadLocalRandom.current().nextInt(1 << 24))
                  .substring(2);
      claimCidrs();
      dir = Files.createTempDirectory("jilium-it-" + node + "-");
      stateDir = dir.resolve("state");
      socket = dir.resolve("agent.sock");
      logFile = dir.resolve("agent.log");
      shutdownHook = new Thread(this::teardownQuietly, "jilium-it-teardown-" + node);
      Runtime.getRuntime().addShutdownHook(shutdownHook);
      launch();
    } catch (IOException e) {
      teardownQuietly();
      throw new UncheckedIOException(e);
    } catch (RuntimeException | AssertionError e) {
      failed = true;
      printLog("agent " + node + " did not start");
      teardownQuietly();
      throw e;
    }
  }

  /** The flags this agent runs with (the same for --cleanup). */
  List<String> flags() {
    List<String> f = new ArrayList<>();
    f.addAll(List.of("--node-name", node));
    f.addAll(List.of("--state-dir", stateDir.toString()));
    f.addAll(List.of("--socket", socket.toString()));
    f.addAll(List.of("--bpf-root", BPF_ROOT.toString()));
    f.addAll(List.of("--pod-cidr-v4", cidrV4()));
    f.addAll(List.of("--pod-cidr-v6", ipv6 ? cidrV6() : "none"));
    // service addresses of their own, so agents running side by side never share a VIP
    f.addAll(
        List.of(
            "--service-cluster-ip-range", serviceCidrV4() + (ipv6 ? "," + serviceCidrV6() : "")));
    if (!extraFlags.contains("--devices")) {
      // the machine's own uplink is not a test's to take over
      f.addAll(List.of("--devices", "none"));
    }
    f.addAll(extraFlags);
    return f;
  }

  private void launch() {
    appendLog("==== starting agent: " + String.join(" ", Jilium.agent(flags())));
    agent = Proc.start(Jilium.agent(flags()), logFile);
    Optional<String> ready =
        agent.awaitLine(l -> l.contains("msg=\"agent started\""), START_TIMEOUT, true);
    if (ready.isEmpty()) {
      boolean alive = agent.isAlive();
      agent.kill();
      throw new AssertionError(
          "agent "
              + node
              + (alive
                  ? " did not log msg=\"agent started\" within " + START_TIMEOUT.toSeconds() + " s"
                  : " exited before it started")
              + "\n"
              + log());
    }
  }

  /** kill -9: the agent gets no chance to do anything; the datapath stays in the kernel. */
  void kill9() {
    requireRunning();
    appendLog("==== kill -9 " + agent.pid());
    agent.kill();
  }

  /**
   * Starts the agent again with the same flags and state (after {@link #kill9()} or {@link
   * #stop()}).
   */
  void restart() {
    if (agent != null && agent.isAlive()) {
      stop();
    }
    launch();
  }

  /** SIGTERM, as an operator would stop it. */
  void stop() {
    if (agent != null && agent.isAlive()) {
      appendLog("==== SIGTERM " + agent.pid());
      long t0 = System.nanoTime();
      agent.stop(Duration.ofSeconds(20));
      appendLog(
          "==== agent "
              + agent.pid()
              + " exited "
              + agent.waitFor(Duration.ofSeconds(5)).map(String::valueOf).orElse("?")
              + " after "
              + (System.nanoTime() - t0) / 1_000_000
              + " ms");
    }
  }

  boolean isRunning() {
    return agent != null && agent.isAlive();
  }

  private void requireRunning() {
    if (!isRunning()) {
      throw new AssertionError("agent " + node + " is not running\n" + log());
    }
  }

  /** Back to an empty agent between tests: every pod and policy the test made is deleted. */
  private void reset() {
    if (!isRunning()) {
      restart();
    }
    if (podsTouched && !sharedPods) {
      List<String> refs = new ArrayList<>();
      for (Pod p : pods()) {
        refs.add(p.ref());
      }
      if (!refs.isEmpty()) {
        List<String> args = new ArrayList<>(List.of("pod", "delete"));
        args.addAll(refs);
        cli(args.toArray(String[]::new)).assertOk();
      }
      podsTouched = false;
    }
    if (policiesTouched) {
      cli("policy", "delete", "--all").assertOk();
      policiesTouched = false;
    }
  }

  /**
   * Stops the agent, runs {@code agent --cleanup} with the same flags and asserts that nothing of
   * this node is left. Idempotent; always releases the CIDR claim.
   */
  synchronized void teardown() {
    if (tornDown || !started) {
      return;
    }
    tornDown = true;
    List<String> problems = new ArrayList<>();
    try {
      if (isRunning()) {
        try {
          for (Pod p : pods()) {
            remember(p);
          }
        } catch (RuntimeException | AssertionError e) {
          problems.add("listing pods before teardown: " + e.getMessage());
        }
      }
      stop();
      if (agent != null && agent.isAlive()) {
        problems.add("agent did not exit on SIGTERM within 20 s");
        agent.kill();
      }
      if (node != null && stateDir != null) {
        List<String> argv = new ArrayList<>(flags());
        argv.add("--cleanup");
        appendLog("==== cleanup: " + String.join(" ", argv));
        try (Proc c = Proc.start(Jilium.agent(argv), logFile)) {
          int rc = c.waitForOrFail(Duration.ofSeconds(60));
          if (rc != 0) {
            problems.add("agent --cleanup exited " + rc + ":\n" + c.stdout() + c.stderr());
          }
        }
        problems.addAll(leftovers());
      }
    } catch (RuntimeException | AssertionError e) {
      problems.add("teardown: " + e);
    } finally {
      releaseClaim();
      if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
        try {
          Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
          // the JVM is already shutting down
        }
      }
    }
    if (!problems.isEmpty()) {
      failed = true;
      printLog("teardown of " + node + " found problems");
      throw new AssertionError(
          "teardown of agent " + node + ":\n  " + String.join("\n  ", problems));
    }
    if (!failed) {
      Jilium.deleteTree(dir);
    } else {
      System.err.println("[jilium-it] kept " + dir + " for inspection");
    }
  }

  private void teardownQuietly() {
    try {
      teardown();
    } catch (RuntimeException | AssertionError e) {
      System.err.println("[jilium-it] " + e.getMessage());
    }
  }

  /** What this node left behind after --cleanup; empty when clean. */
  List<String> leftovers() {
    List<String> problems = new ArrayList<>();
    String prefix = "jl-" + node + "-";
    for (String ns : netnsNames()) {
      if (ns.startsWith(prefix)) {
        problems.add("network namespace " + ns + " still exists");
      }
    }
    synchronized (netnsPaths) {
      for (String ns : netnsPaths) {
        if (Files.exists(Path.of(ns))) {
          problems.add("network namespace " + ns + " still exists");
        }
      }
    }
    if (Files.exists(pinDir())) {
      problems.add("pinned directory " + pinDir() + " still exists");
    }
    synchronized (links) {
      for (String link : links) {
        if (Files.exists(Path.of("/sys/class/net", link))) {
          problems.add("link " + link + " still exists");
        }
      }
    }
    synchronized (podPids) {
      for (long pid : podPids) {
        if (Host.processAlive(pid)) {
          problems.add("pod process " + pid + " still runs: " + Host.cmdline(pid));
        }
      }
    }
    for (String route : Host.routesWithin(cidrV4Prefix(), cidrV6Prefix())) {
      problems.add("route still present: " + route);
    }
    if (Files.exists(stateDir)) {
      problems.add("state dir " + stateDir + " still exists");
    }
    if (Files.exists(socket)) {
      problems.add("socket " + socket + " still exists");
    }
    return problems;
  }

  static List<String> netnsNames() {
    if (!Files.isDirectory(NETNS_DIR)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(NETNS_DIR)) {
      return s.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- CIDRs ----

  private void claimCidrs() {
    // a CIDR with routes left by a run that died is not ours to touch, and not usable
    claim =
        HostIndexClaim.claim(
            "cidr", n -> Host.routesWithin(cidrV4Prefix(n), cidrV6Prefix(n)).isEmpty());
    cidrIndex = claim.index();
  }

  private void releaseClaim() {
    if (claim != null) {
      claim.close();
    }
    claim = null;
  }

  /**
   * The index n (1..254) of this fixture's claimed CIDR pair, unique among running fixtures: also
   * usable to pick other per-fixture resources (e.g. an address range for a test's own network).
   */
  int cidrIndex() {
    return cidrIndex;
  }

  /** The agent's ClusterIP range: 10.231.n.0/24. */
  String serviceCidrV4() {
    return "10.231." + cidrIndex + ".0/24";
  }

  /** The agent's IPv6 ClusterIP range: fd00:10:231::n:0/120. */
  String serviceCidrV6() {
    return "fd00:10:231::" + Integer.toHexString(cidrIndex) + ":0/120";
  }

  String cidrV4() {
    return "10.230." + cidrIndex + ".0/24";
  }

  String cidrV6() {
    return "fd00:10:230::" + Integer.toHexString(cidrIndex) + ":0/120";
  }

  /** Text every address (and route) of this node's IPv4 CIDR starts with. */
  String cidrV4Prefix() {
    return cidrV4Prefix(cidrIndex);
  }

  String cidrV6Prefix() {
    return cidrV6Prefix(cidrIndex);
  }

  private static String cidrV4Prefix(int n) {
    return "10.230." + n + ".";
  }

  private static String cidrV6Prefix(int n) {
    return "fd00:10:230::" + Integer.toHexString(n) + ":";
  }

  // ---- accessors ----

  String node() {
    return node;
  }

  Path socket() {
    return socket;
  }

  Path stateDir() {
    return stateDir;
  }

  Path pinDir() {
    return BPF_ROOT.resolve(node);
  }

  Path dir() {
    return dir;
  }

  // ---- CLI ----

  /** Runs {@code jilium --socket <this agent> ARGS}; never throws on a non-zero exit. */
  CliResult cli(String... args) {
    return cliWithInput(null, args);
  }

  /** Like {@link #cli}, with {@code stdin} fed to the command and then closed. */
  CliResult cliWithInput(String stdin, String... args) {
    // what reset() has to undo after the test (a CLI call that fails may still have done it)
    if (args.length >= 2 && args[0].equals("pod") && args[1].equals("run")) {
      podsTouched = true;
    }
    if (args.length >= 1 && args[0].equals("apply")) {
      policiesTouched = true;
    }
    return run(Jilium.cli(socket, List.of(args)), stdin, CLI_TIMEOUT);
  }

  /** The CLI pointed at any socket (e.g. one where no agent runs). */
  static CliResult cliAt(Path socket, String... args) {
    return run(Jilium.cli(socket, List.of(args)), null, CLI_TIMEOUT);
  }

  private static CliResult run(List<String> argv, String stdin, Duration timeout) {
    try (Proc p = Proc.start(argv)) {
      if (stdin != null) {
        p.write(stdin);
      }
      p.closeStdin();
      int rc = p.waitForOrFail(timeout);
      return new CliResult(argv, rc, p.stdout(), p.stderr());
    }
  }

  /** A long-running CLI command (e.g. monitor), read line by line. */
  Proc cliBackground(String... args) {
    return Proc.start(Jilium.cli(socket, List.of(args)));
  }

  // ---- pods ----

  /**
   * {@code pod run REF --labels LABELS [--port P...] -o json [-- CMD...]}; fails unless it worked.
   */
  Pod podRun(String ref, String labels, List<String> ports, List<String> command) {
    List<String> args = new ArrayList<>(List.of("pod", "run", ref, "-o", "json"));
    if (labels != null && !labels.isEmpty()) {
      args.addAll(List.of("--labels", labels));
    }
    for (String p : ports) {
      args.addAll(List.of("--port", p));
    }
    if (!command.isEmpty()) {
      args.add("--");
      args.addAll(command);
    }
    Pod pod = Pod.of(cli(args.toArray(String[]::new)).assertOk().json());
    remember(pod);
    return pod;
  }

  Pod podRun(String ref, String labels) {
    return podRun(ref, labels, List.of(), List.of());
  }

  Pod podRun(String ref, String labels, String... command) {
    return podRun(ref, labels, List.of(), List.of(command));
  }

  void remember(Pod p) {
    if (!p.interfaceName().isEmpty()) {
      links.add(p.interfaceName());
    }
    podPids.addAll(p.pids());
    if (!p.netns().isEmpty()) {
      netnsPaths.add(p.netns());
    }
  }

  /** {@code pod list -o json}. */
  JsonNode podsJson() {
    return cli("pod", "list", "-o", "json").assertOk().json();
  }

  List<Pod> pods() {
    List<Pod> out = new ArrayList<>();
    for (JsonNode n : podsJson()) {
      Pod p = Pod.of(n);
      remember(p);
      out.add(p);
    }
    return out;
  }

  Optional<Pod> pod(String ref) {
    return pods().stream().filter(p -> p.ref().equals(ref)).findFirst();
  }

  /** {@code jilium pod exec POD -- CMD...}. */
  CliResult exec(Pod pod, String... command) {
    return execWithInput(pod, null, command);
  }

  CliResult execWithInput(Pod pod, String stdin, String... command) {
    List<String> args = new ArrayList<>(List.of("pod", "exec", pod.ref(), "--"));
    args.addAll(List.of(command));
    return cliWithInput(stdin, args.toArray(String[]::new));
  }

  // ---- resources ----

  /** {@code jilium apply -f <yaml in a file>}; fails unless it worked. Returns once enforced. */
  CliResult apply(String yaml) {
    return applyFile(writeManifest(yaml)).assertOk();
  }

  CliResult applyFile(Path file) {
    return cli("apply", "-f", file.toString());
  }

  /** {@code jilium delete -f <yaml in a file>}; fails unless it worked. */
  CliResult delete(String yaml) {
    return cli("delete", "-f", writeManifest(yaml).toString()).assertOk();
  }

  Path writeManifest(String yaml) {
    try {
      Path f = Files.createTempFile(dir, "manifest-", ".yaml");
      Files.writeString(f, yaml);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  JsonNode json(String... args) {
    return cli(args).assertOk().json();
  }

  JsonNode status() {
    return json("status", "-o", "json");
  }

  /** identity id -> labels, from {@code identity list -o json}. */
  Map<Integer, List<String>> identities() {
    Map<Integer, List<String>> out = new java.util.TreeMap<>();
    for (JsonNode i : json("identity", "list", "-o", "json")) {
      List<String> labels = new ArrayList<>();
      i.path("labels").forEach(l -> labels.add(l.asText()));
      out.put(i.path("id").asInt(), labels);
    }
    return out;
  }

  // ---- log ----

  String log() {
    try {
      return logFile != null && Files.exists(logFile)
          ? Files.readString(logFile)
          : "(no agent log)";
    } catch (IOException e) {
      return "(agent log unreadable: " + e + ")";
    }
  }

  private void appendLog(String line) {
    if (logFile == null) {
      return;
    }
    try {
      Files.writeString(
          logFile,
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // best effort
    }
  }

  private void printLog(String why) {
    System.err.println(
        "======== [jilium-it] " + why + ": log of agent " + node + " (" + logFile + ") ========");
    System.err.println(log());
    System.err.println("======== end of agent " + node + " log ========");
  }

  @Override
  public String toString() {
    return "agent " + node + " (" + cidrV4() + ", " + cidrV6() + ")";
  }
}
