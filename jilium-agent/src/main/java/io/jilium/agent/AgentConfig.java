package io.jilium.agent;

import io.jilium.core.net.Cidr;
import io.jilium.core.policy.EnforcementMode;
import java.nio.file.Path;
import java.util.List;

/** Everything the agent is told at start; immutable. */
public record AgentConfig(
    String nodeName,
    Path stateDir,
    Path bpfRoot,
    Path socket,
    Cidr podCidrV4,
    Cidr podCidrV6,
    EnforcementMode enforcement,
    boolean allowLocalhost,
    int mtu,
    Observability observability,
    Services services) {

  /**
   * Services (kube-proxy replacement): where ClusterIPs and node ports come from, how backends are
   * selected, where the socket hooks and the per-packet programs attach.
   *
   * @param clusterIpRanges {@code --service-cluster-ip-range}: one CIDR per family, primary first
   * @param maglev {@code --lb-algorithm maglev}; else random
   * @param cgroupRoot {@code --cgroup-root}, or null to find (or mount) cgroup2
   * @param devices {@code --devices}: names or prefixes ({@code eth+}); empty: devices with a
   *     default route
   * @param socketLb {@code --bpf-lb-sock}: translate at the socket for the host and pods
   */
  public record Services(
      List<Cidr> clusterIpRanges,
      int nodePortMin,
      int nodePortMax,
      boolean maglev,
      int maglevTableSize,
      String maglevHashSeed,
      Path cgroupRoot,
      List<String> devices,
      boolean socketLb) {
    public Services {
      clusterIpRanges = List.copyOf(clusterIpRanges);
      devices = List.copyOf(devices);
    }
  }

  /**
   * Flows and metrics: what the datapath reports, the flow buffer, where Hubble's API and the
   * metrics are served (empty: not served), and the optional on-disk flow store.
   */
  public record Observability(
      io.jilium.bpf.loader.DatapathConfig datapath,
      int flowBufferCapacity,
      String hubbleListenAddress,
      String hubbleMetricsAddress,
      String agentMetricsAddress,
      Path flowStore,
      long flowStoreMaxBytes,
      int eventsRingBytes) {
    public static final Observability DEFAULTS =
        new Observability(
            io.jilium.bpf.loader.DatapathConfig.DEFAULTS,
            4095,
            "",
            "127.0.0.1:9965",
            "127.0.0.1:9962",
            null,
            1L << 30,
            0);
  }

  public static final String DEFAULT_STATE_DIR = "/var/lib/jilium";
  public static final String DEFAULT_BPF_ROOT = "/sys/fs/bpf/jilium";
  public static final String DEFAULT_SOCKET = "/var/run/jilium/jilium.sock";
  public static final String DEFAULT_POD_CIDR_V4 = "10.200.0.0/16";
  public static final String DEFAULT_POD_CIDR_V6 = "fd00:10:200::/112";

  /** Where this node's maps are pinned: {@code <bpf-root>/<node-name>}. */
  public Path pinDir() {
    return bpfRoot.resolve(nodeName);
  }

  public boolean ipv4Enabled() {
    return podCidrV4 != null;
  }

  public boolean ipv6Enabled() {
    return podCidrV6 != null;
  }
}
