package io.jilium.agent.observer;

import io.jilium.core.policy.EndpointPolicy;
import java.util.List;
import java.util.Map;

/**
 * What the flow decoder needs to name the two ends of a flow, as one immutable snapshot the control
 * loop publishes and the decoder reads without locks: local endpoints by id and address, the labels
 * of every identity, and the resolved policy of every endpoint (for policy names).
 */
public record ObserverDirectory(
    String nodeName,
    Map<Integer, EndpointView> endpointsById,
    Map<String, EndpointView> endpointsByIp,
    Map<Integer, List<String>> identityLabels,
    Map<Integer, EndpointPolicy> policies) {
  public static final ObserverDirectory EMPTY =
      new ObserverDirectory("", Map.of(), Map.of(), Map.of(), Map.of());

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
