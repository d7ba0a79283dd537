package io.jilium.agent;

import io.jilium.core.net.Cidr;
import io.jilium.core.policy.EnforcementMode;
import java.nio.file.Path;

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
    int mtu) {

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
