package io.jilium.agent.observer;

import io.jilium.api.flow.Service;
import io.jilium.core.policy.EndpointPolicy;
import java.util.List;
import java.util.Map;

/**
 * What the flow decoder needs to name the two ends of a flow, as one immutable snapshot the control
 * loop publishes and the decoder reads without locks: local endpoints by id and address, the labels
 * of every identity, the resolved policy of every endpoint (for policy names), and the Service of
 * every frontend address and port (a NodePort under each of the node's addresses), which Hubble
 * shows as a flow's source or destination service.
 */
public record ObserverDirectory(
    String nodeName,
    Map<Integer, EndpointView> endpointsById,
    Map<String, EndpointView> endpointsByIp,
    Map<Integer, List<String>> identityLabels,
    Map<Integer, EndpointPolicy> policies,
    Map<String, Map<Integer, Service>> services) {
  public static final ObserverDirectory EMPTY =
      new ObserverDirectory("", Map.of(), Map.of(), Map.of(), Map.of(), Map.of());

  /** The directory without services (tests and callers that have none). */
  public ObserverDirectory(
      String nodeName,
      Map<Integer, EndpointView> endpointsById,
      Map<String, EndpointView> endpointsByIp,
      Map<Integer, List<String>> identityLabels,
      Map<Integer, EndpointPolicy> policies) {
    this(nodeName, endpointsById, endpointsByIp, identityLabels, policies, Map.of());
  }

  /** The Service whose frontend is {@code ip}:{@code port} (any protocol), or null. */
  public Service serviceAt(String ip, int port) {
    Map<Integer, Service> ports = services.get(ip);
    return ports == null ? null : ports.get(port);
  }

  /** A local endpoint as flows show it. */
  public record EndpointView(
      int id,
      int identity,
      String namespace,
      String podName,
      List<String> labels,
      String hostIfName,
      int hostIfIndex) {}

  public List<String> labelsOf(int identity) {
    return identityLabels.getOrDefault(identity, List.of());
  }
}
