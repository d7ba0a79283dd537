package io.jilium.agent;

import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.EnforcementMode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jilium agent}: runs the node agent in the foreground until SIGTERM or SIGINT. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description =
        "Run the Jilium node agent (root): owns the eBPF datapath, endpoints, identities and policy.")
public final class AgentMain implements Callable<Integer> {
  @Option(names = "--node-name", description = "Name of this node (default: the host name).")
  String nodeName;

  @Option(
      names = "--state-dir",
      defaultValue = AgentConfig.DEFAULT_STATE_DIR,
      description = "State directory (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(
      names = "--bpf-root",
      defaultValue = AgentConfig.DEFAULT_BPF_ROOT,
      description =
          "bpffs directory for pinned maps; this node's go to <bpf-root>/<node-name> (default: ${DEFAULT-VALUE}).")
  Path bpfRoot;

  @Option(
      names = "--socket",
      description = "API socket (default: $JILIUM_SOCKET or " + AgentConfig.DEFAULT_SOCKET + ").")
  Path socket;

  @Option(
      names = "--pod-cidr-v4",
      defaultValue = AgentConfig.DEFAULT_POD_CIDR_V4,
      description = "IPv4 pod CIDR; \"none\" disables IPv4 (default: ${DEFAULT-VALUE}).")
  String podCidrV4;

  @Option(
      names = "--pod-cidr-v6",
      defaultValue = AgentConfig.DEFAULT_POD_CIDR_V6,
      description = "IPv6 pod CIDR; \"none\" disables IPv6 (default: ${DEFAULT-VALUE}).")
  String podCidrV6;

  @Option(
      names = "--policy-enforcement",
      defaultValue = "default",
      description = "default, always or never (default: ${DEFAULT-VALUE}).")
  String policyEnforcement;

  @Option(
      names = "--allow-localhost",
      defaultValue = "always",
      description =
          "always: the host may always reach local pods (Cilium's default); policy: only if policy allows (default: ${DEFAULT-VALUE}).")
  String allowLocalhost;

  @Option(
      names = "--mtu",
      defaultValue = "1500",
      description = "MTU of pod interfaces (default: ${DEFAULT-VALUE}).")
  int mtu;

  @Option(
      names = "--log-format",
      defaultValue = "text",
      description = "text or json (default: ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(
      names = "--log-level",
      defaultValue = "info",
      description = "error, warn, info or debug (default: ${DEFAULT-VALUE}).")
  String logLevel;

  @Option(
      names = "--monitor-aggregation",
      defaultValue = "medium",
      description =
          "How much the datapath reports of established connections: none, low, medium or maximum (default: ${DEFAULT-VALUE}).")
  String monitorAggregation;

  @Option(
      names = "--monitor-aggregation-interval",
      defaultValue = "5s",
      description =
          "With medium aggregation, an active connection is reported again this often (default: ${DEFAULT-VALUE}).")
  String monitorAggregationInterval;

  @Option(
      names = "--monitor-aggregation-flags",
      defaultValue = "syn,fin,rst",
      description =
          "TCP flags whose first appearance in a connection is reported (default: ${DEFAULT-VALUE}).")
  String monitorAggregationFlags;

  @Option(
      names = "--enable-hubble",
      defaultValue = "true",
      arity = "1",
      description =
          "Flows: trace and policy verdict events, the Observer API (default: ${DEFAULT-VALUE}).")
  boolean enableHubble;

  @Option(
      names = "--hubble-event-buffer-capacity",
      defaultValue = "4095",
      description = "Flows kept in memory (default: ${DEFAULT-VALUE}).")
  int flowBufferCapacity;

  @Option(
      names = "--hubble-listen-address",
      defaultValue = "",
      description =
          "Also serve the Observer API on this TCP address, e.g. :4244 (default: only the agent's socket).")
  String hubbleListenAddress;

  @Option(
      names = "--hubble-metrics-server",
      defaultValue = "127.0.0.1:9965",
      description = "Hubble metrics address; empty turns them off (default: ${DEFAULT-VALUE}).")
  String hubbleMetricsServer;

  @Option(
      names = "--prometheus-serve-addr",
      defaultValue = "127.0.0.1:9962",
      description = "Agent metrics address; empty turns them off (default: ${DEFAULT-VALUE}).")
  String prometheusServeAddr;

  @Option(
      names = "--flow-store",
      description = "Also keep flows on disk in this directory (history beyond the buffer).")
  Path flowStore;

  @Option(
      names = "--flow-store-max-size",
      defaultValue = "1Gi",
      description =
          "Size cap of the flow store; the oldest flows go first (default: ${DEFAULT-VALUE}).")
  String flowStoreMaxSize;

  @Option(
      names = "--bpf-events-ring-size",
      defaultValue = "0",
      description = "Bytes of the datapath's events ring buffer, a power of two (default: 8 MiB).")
  int eventsRingSize;

  @Option(
      names = "--service-cluster-ip-range",
      description =
          "ClusterIP CIDRs, one per family, comma separated; the first is the primary family"
              + " (default: 10.202.0.0/16,fd00:10:202::/112, for the families pods have).")
  String serviceClusterIpRange;

  @Option(
      names = "--service-node-port-range",
      defaultValue = "30000-32767",
      description = "Node ports of NodePort and LoadBalancer Services (default: ${DEFAULT-VALUE}).")
  String serviceNodePortRange;

  @Option(
      names = {"--lb-algorithm", "--bpf-lb-algorithm"},
      defaultValue = "random",
      description = "Backend selection: random or maglev (default: ${DEFAULT-VALUE}).")
  String lbAlgorithm;

  @Option(
      names = "--bpf-lb-maglev-table-size",
      defaultValue = "16381",
      description = "Maglev table size, a prime (default: ${DEFAULT-VALUE}).")
  int maglevTableSize;

  @Option(
      names = "--bpf-lb-maglev-hash-seed",
      defaultValue = io.jilium.core.service.Maglev.DEFAULT_HASH_SEED,
      description =
          "Maglev hash seed, 12 bytes in base64; the same on every node (default: Cilium's).")
  String maglevHashSeed;

  @Option(
      names = "--cgroup-root",
      description =
          "cgroup v2 root for the socket load-balancing hooks (default: the mounted cgroup2, or"
              + " one mounted at /run/jilium/cgroupv2).")
  Path cgroupRoot;

  @Option(
      names = "--devices",
      defaultValue = "",
      description =
          "Devices for per-packet load balancing (NodePort, ExternalIPs, LoadBalancer from"
              + " outside), comma separated names or prefixes like eth+, or none (default: the"
              + " devices with a default route).")
  String devices;

  @Option(
      names = "--bpf-lb-sock",
      defaultValue = "true",
      arity = "1",
      description =
          "Translate services at the socket (connect, sendmsg) for the host and pods"
              + " (default: ${DEFAULT-VALUE}).")
  boolean socketLb;

  @Option(
      names = "--cleanup",
      description =
          "Remove everything this agent created (pods, devices, pinned maps, state) and exit.")
  boolean cleanup;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Entry point used by the CLI's {@code jilium agent}. */
  public static int run(String[] args) {
    CommandLine cl = new CommandLine(new AgentMain());
    cl.setExecutionExceptionHandler(
        (ex, cmd, parsed) -> {
          cmd.getErr().println("jilium agent: " + ex.getMessage());
          return 1;
        });
    return cl.execute(args);
  }

  AgentConfig config() {
    String node = nodeName != null ? nodeName : hostname();
    if (!node.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || node.length() > 63) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--node-name \""
              + node
              + "\" (expected: lowercase letters, digits, '-' and '.', at most 63)");
    }
    Path sock = socket;
    if (sock == null) {
      String env = System.getenv("JILIUM_SOCKET");
      sock = Path.of(env != null && !env.isEmpty() ? env : AgentConfig.DEFAULT_SOCKET);
    }
    Cidr v4 = cidr("--pod-cidr-v4", podCidrV4, true);
    Cidr v6 = cidr("--pod-cidr-v6", podCidrV6, false);
    if (v4 == null && v6 == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "at least one of --pod-cidr-v4 and --pod-cidr-v6 is needed");
    }
    EnforcementMode mode;
    try {
      mode = EnforcementMode.parse(policyEnforcement);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--policy-enforcement: " + e.getMessage());
    }
    if (!allowLocalhost.equals("always") && !allowLocalhost.equals("policy")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--allow-localhost \"" + allowLocalhost + "\" (expected: always or policy)");
    }
    if (mtu < 1280 || mtu > 65535) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--mtu " + mtu + " (expected: 1280-65535)");
    }
    return new AgentConfig(
        node,
        stateDir.toAbsolutePath(),
        bpfRoot.toAbsolutePath(),
        sock.toAbsolutePath(),
        v4,
        v6,
        mode,
        allowLocalhost.equals("always"),
        mtu,
        observability(),
        services(v4 != null, v6 != null));
  }

  private AgentConfig.Services services(boolean v4, boolean v6) {
    java.util.List<Cidr> ranges = new java.util.ArrayList<>();
    if (serviceClusterIpRange == null) {
      if (v4) {
        ranges.add(io.jilium.core.service.ServiceIpAllocator.DEFAULT_IPV4_CIDR);
      }
      if (v6) {
        ranges.add(io.jilium.core.service.ServiceIpAllocator.DEFAULT_IPV6_CIDR);
      }
    } else {
      for (String part : serviceClusterIpRange.split(",")) {
        String value = part.trim();
        Cidr c;
        try {
          c = Cidr.parse(value);
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), "--service-cluster-ip-range " + e.getMessage());
        }
        ranges.add(cidr("--service-cluster-ip-range", value, c.isIpv4()));
      }
    }
    try {
      new io.jilium.core.service.ServiceIpAllocator(ranges);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--service-cluster-ip-range: " + e.getMessage());
    }
    io.jilium.agent.service.NodePortAllocator np;
    try {
      np = io.jilium.agent.service.NodePortAllocator.parseRange(serviceNodePortRange);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--service-node-port-range: " + e.getMessage());
    }
    if (!lbAlgorithm.equals("random") && !lbAlgorithm.equals("maglev")) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--lb-algorithm \"" + lbAlgorithm + "\" (expected: random or maglev)");
    }
    try {
      io.jilium.core.service.Maglev.of(maglevTableSize, maglevHashSeed);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--bpf-lb-maglev-table-size/--bpf-lb-maglev-hash-seed: " + e.getMessage());
    }
    java.util.List<String> devs;
    try {
      devs =
          devices.strip().equals("none")
              ? java.util.List.of("none")
              : io.jilium.bpf.netlink.NodeDevices.parse(java.util.List.of(devices.split(",")));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return new AgentConfig.Services(
        ranges,
        np.min(),
        np.max(),
        lbAlgorithm.equals("maglev"),
        maglevTableSize,
        maglevHashSeed,
        cgroupRoot == null ? null : cgroupRoot.toAbsolutePath(),
        devs,
        socketLb);
  }

  private AgentConfig.Observability observability() {
    io.jilium.bpf.loader.DatapathConfig dp;
    try {
      dp =
          new io.jilium.bpf.loader.DatapathConfig(
              io.jilium.bpf.loader.DatapathConfig.MonitorAggregation.parse(monitorAggregation),
              (int) Durations.parse(monitorAggregationInterval).toSeconds(),
              io.jilium.bpf.loader.DatapathConfig.parseTcpFlags(monitorAggregationFlags),
              enableHubble,
              enableHubble);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (flowBufferCapacity < 1 || flowBufferCapacity > 1 << 24) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--hubble-event-buffer-capacity " + flowBufferCapacity + " (expected: 1-16777216)");
    }
    for (String[] a :
        new String[][] {
          {"--hubble-listen-address", hubbleListenAddress},
          {"--hubble-metrics-server", hubbleMetricsServer},
          {"--prometheus-serve-addr", prometheusServeAddr}
        }) {
      if (!a[1].isEmpty() && !a[1].matches("(\\[[0-9a-fA-F:.]+\\]|[^:\\s]*):[0-9]{1,5}")) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            a[0] + " \"" + a[1] + "\" (expected: [host]:port, e.g. :4244 or 127.0.0.1:9965)");
      }
    }
    long maxBytes;
    try {
      maxBytes = Sizes.parse(flowStoreMaxSize);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--flow-store-max-size: " + e.getMessage());
    }
    return new AgentConfig.Observability(
        dp,
        flowBufferCapacity,
        hubbleListenAddress,
        hubbleMetricsServer,
        prometheusServeAddr,
        flowStore == null ? null : flowStore.toAbsolutePath(),
        maxBytes,
        eventsRingSize);
  }

  private Cidr cidr(String flag, String value, boolean v4) {
    if (value.equals("none")) {
      return null;
    }
    Cidr c;
    try {
      c = Cidr.parse(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), flag + " " + e.getMessage());
    }
    if (c.isIpv4() != v4) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          flag + " \"" + value + "\" (expected: an " + (v4 ? "IPv4" : "IPv6") + " prefix)");
    }
    int maxLen = v4 ? 30 : 126;
    if (c.prefixLength() > maxLen) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          flag
              + " \""
              + value
              + "\" is too small (expected: a prefix length of at most "
              + maxLen
              + ")");
    }
    int slash = value.indexOf('/');
    byte[] written = IpAddress.parse(slash < 0 ? value : value.substring(0, slash));
    if (!java.util.Arrays.equals(written, c.address())) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), flag + " \"" + value + "\" has host bits set (expected: " + c + ")");
    }
    return c;
  }

  private static String hostname() {
    String env = System.getenv("HOSTNAME");
    try {
      String h = InetAddress.getLocalHost().getHostName();
      return h.toLowerCase(java.util.Locale.ROOT);
    } catch (UnknownHostException e) {
      return env != null ? env.toLowerCase(java.util.Locale.ROOT) : "localhost";
    }
  }

  @Override
  public Integer call() throws Exception {
    AgentConfig config = config();
    Logging.configure(logFormat, logLevel);
    if (cleanup) {
      AgentCleanup.run(config);
      return 0;
    }
    Agent agent = Agent.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  agent.close();
                  stopped.countDown();
                },
                "jilium-shutdown"));
    agent.awaitTermination();
    stopped.await();
    return 0;
  }
}
