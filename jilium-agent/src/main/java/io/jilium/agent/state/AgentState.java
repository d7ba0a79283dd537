package io.jilium.agent.state;

import java.util.List;
import java.util.Map;

/**
 * Everything the agent persists in {@code <state-dir>/state.json}. Kernel objects (maps, programs)
 * persist on their own in bpffs; this is what is needed to find and reconcile them.
 */
public record AgentState(
    int version,
    String nodeName,
    String podCidrV4,
    String podCidrV6,
    long policyRevision,
    List<NamespaceState> namespaces,
    List<EndpointState> endpoints,
    List<IdentityState> identities,
    List<PolicyState> policies) {

  public static final int VERSION = 1;

  public AgentState {
    namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    identities = identities == null ? List.of() : List.copyOf(identities);
    policies = policies == null ? List.of() : List.copyOf(policies);
  }

  /** A namespace: explicit (applied) or implicit (created by a pod). */
  public record NamespaceState(String name, Map<String, String> labels, boolean implicit) {}

  /** A named port of an endpoint. */
  public record PortState(String name, int port, String protocol) {}

  /** An endpoint and, for standalone pods, the runtime's view of it. */
  public record EndpointState(
      int id,
      String containerId,
      String podNamespace,
      String podName,
      String netns,
      String ifname,
      String hostIfName,
      int hostIfIndex,
      String mac,
      String hostMac,
      String ipv4,
      String ipv6,
      Map<String, String> labels,
      List<PortState> ports,
      long createdMillis,
      boolean standalonePod,
      List<String> command,
      String logFile) {}

  /** An allocated identity. */
  public record IdentityState(int id, List<String> labels) {}

  /** A policy resource as applied (re-parsed on restore). */
  public record PolicyState(
      String kind, String namespace, String name, String json, long revision) {}
}
