package io.jilium.core.resource;

import io.jilium.core.policy.Protocol;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code v1} Service, validated as the Kubernetes API server validates it and with its defaults
 * applied (protocol TCP, targetPort = port, sessionAffinity None with 10800 s for ClientIP, traffic
 * policies Cluster). Addresses are canonical text. {@code json} is the document as applied.
 *
 * @param clusterIps requested ClusterIPs (primary first); empty means "allocate" unless {@code
 *     headless}
 * @param ipFamilies as requested, possibly empty (the allocator decides)
 * @param ipFamilyPolicy as requested; empty means SingleStack, as Kubernetes defaults it
 * @param selector empty when the Service has none (its EndpointSlices are managed by others)
 * @param sessionAffinityTimeoutSeconds for ClientIP affinity, 0 without affinity
 * @param loadBalancerIp {@code spec.loadBalancerIP}, empty if unset
 * @param loadBalancerIngress {@code status.loadBalancer.ingress[].ip}
 */
public record ServiceResource(
    String namespace,
    String name,
    Map<String, String> labels,
    Type type,
    boolean headless,
    List<String> clusterIps,
    List<IpFamily> ipFamilies,
    Optional<IpFamilyPolicy> ipFamilyPolicy,
    List<Port> ports,
    Map<String, String> selector,
    SessionAffinity sessionAffinity,
    int sessionAffinityTimeoutSeconds,
    List<String> externalIps,
    String loadBalancerIp,
    List<String> loadBalancerIngress,
    TrafficPolicy externalTrafficPolicy,
    TrafficPolicy internalTrafficPolicy,
    boolean publishNotReadyAddresses,
    boolean allocateLoadBalancerNodePorts,
    String json)
    implements Resource {
  public static final String KIND = "Service";

  /** Kubernetes' default ClientIP affinity timeout (3 hours). */
  public static final int DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

  public ServiceResource {
    labels = Map.copyOf(labels);
    clusterIps = List.copyOf(clusterIps);
    ipFamilies = List.copyOf(ipFamilies);
    Objects.requireNonNull(ipFamilyPolicy, "ipFamilyPolicy");
    ports = List.copyOf(ports);
    selector = Map.copyOf(selector);
    externalIps = List.copyOf(externalIps);
    loadBalancerIngress = List.copyOf(loadBalancerIngress);
  }

  @Override
  public String kind() {
    return KIND;
  }

  /** {@code spec.type}; ExternalName is refused by the parser. */
  public enum Type {
    CLUSTER_IP("ClusterIP"),
    NODE_PORT("NodePort"),
    LOAD_BALANCER("LoadBalancer");

    private final String apiName;

    Type(String apiName) {
      this.apiName = apiName;
    }

    public String apiName() {
      return apiName;
    }

    /** Whether the Service is reachable from outside the cluster through node ports. */
    public boolean hasNodePorts() {
      return this != CLUSTER_IP;
    }
  }

  public enum IpFamilyPolicy {
    SINGLE_STACK("SingleStack"),
    PREFER_DUAL_STACK("PreferDualStack"),
    REQUIRE_DUAL_STACK("RequireDualStack");

    private final String apiName;

    IpFamilyPolicy(String apiName) {
      this.apiName = apiName;
    }

    public String apiName() {
      return apiName;
    }
  }

  public enum SessionAffinity {
    NONE,
    CLIENT_IP
  }

  public enum TrafficPolicy {
    CLUSTER,
    LOCAL
  }

  /**
   * A {@code spec.ports[]} entry.
   *
   * @param name empty only when the Service has a single port
   * @param nodePort 0 when not given (allocated for NodePort and LoadBalancer services)
   */
  public record Port(
      String name, Protocol protocol, int port, TargetPort targetPort, int nodePort) {
    public Port {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(targetPort, "targetPort");
    }
  }

  /** A {@code targetPort}: a number, or the name of a container port of the backend pods. */
  public record TargetPort(int number, String name) {
    public TargetPort {
      if ((number == 0) == name.isEmpty()) {
        throw new IllegalArgumentException("a target port is a number or a name, not both");
      }
    }

    public static TargetPort number(int n) {
      return new TargetPort(n, "");
    }

    public static TargetPort named(String name) {
      return new TargetPort(0, name);
    }

    public boolean isNamed() {
      return !name.isEmpty();
    }

    @Override
    public String toString() {
      return isNamed() ? name : Integer.toString(number);
    }
  }
}
