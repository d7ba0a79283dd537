package io.jilium.core.resource;

import io.jilium.core.policy.Protocol;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@code discovery.k8s.io/v1} EndpointSlice: backends of the Service named by its {@code
 * kubernetes.io/service-name} label. Conditions carry the API's defaults for unset values (ready
 * and serving true, terminating false).
 */
public record EndpointSliceResource(
    String namespace,
    String name,
    Map<String, String> labels,
    String serviceName,
    IpFamily addressType,
    List<Endpoint> endpoints,
    List<Port> ports,
    String json)
    implements Resource {
  public static final String KIND = "EndpointSlice";
  public static final String API_VERSION = "discovery.k8s.io/v1";
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  public EndpointSliceResource {
    labels = Map.copyOf(labels);
    endpoints = List.copyOf(endpoints);
    ports = List.copyOf(ports);
  }

  @Override
  public String kind() {
    return KIND;
  }

  /**
   * One endpoint: addresses in canonical text; node and host names empty when not given.
   *
   * @param serving ready, or would be if it were not terminating
   */
  public record Endpoint(
      List<String> addresses,
      boolean ready,
      boolean serving,
      boolean terminating,
      String nodeName,
      String hostname) {
    public Endpoint {
      addresses = List.copyOf(addresses);
      Objects.requireNonNull(nodeName, "nodeName");
      Objects.requireNonNull(hostname, "hostname");
    }
  }

  /** A port; {@code name} matches the Service port's name (empty for a single unnamed port). */
  public record Port(String name, int port, Protocol protocol) {
    public Port {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(protocol, "protocol");
    }
  }
}
