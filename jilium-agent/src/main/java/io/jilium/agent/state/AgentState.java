package io.jilium.agent.state;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.io.IOException;
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
    List<PolicyState> policies,
    ServicesState services) {

  public static final int VERSION = 1;

  public AgentState {
    namespaces = namespaces == null ? List.of() : List.copyOf(namespaces);
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
    identities = identities == null ? List.of() : List.copyOf(identities);
    policies = policies == null ? List.of() : List.copyOf(policies);
    services = services == null ? ServicesState.EMPTY : services;
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
      String kind,
      String namespace,
      String name,
      @JsonRawValue @JsonDeserialize(using = JsonText.class) String json,
      long revision) {}

  /**
   * Services and EndpointSlices as applied, with what was allocated for them, and the service and
   * backend ids in the maps (state files of agents before services have none).
   */
  public record ServicesState(
      List<ServiceState> services,
      List<EndpointSliceState> endpointSlices,
      List<LbIdState> serviceIds,
      List<LbIdState> backendIds) {
    public static final ServicesState EMPTY =
        new ServicesState(List.of(), List.of(), List.of(), List.of());

    public ServicesState {
      services = services == null ? List.of() : List.copyOf(services);
      endpointSlices = endpointSlices == null ? List.of() : List.copyOf(endpointSlices);
      serviceIds = serviceIds == null ? List.of() : List.copyOf(serviceIds);
      backendIds = backendIds == null ? List.of() : List.copyOf(backendIds);
    }
  }

  /**
   * A Service as applied (re-parsed on restore) and its allocations.
   *
   * @param nodePorts per {@code spec.ports} entry, 0 for none
   */
  public record ServiceState(
      @JsonRawValue @JsonDeserialize(using = JsonText.class) String json,
      List<String> ipFamilies,
      List<String> clusterIps,
      List<Integer> nodePorts) {}

  /** An EndpointSlice as applied. */
  public record EndpointSliceState(
      @JsonRawValue @JsonDeserialize(using = JsonText.class) String json) {}

  /**
   * A resource's document is saved as the JSON it is (readable, and written without escaping: 13 MB
   * with 10,000 Services); files of earlier agents hold it as a string, which reads the same.
   */
  static final class JsonText extends JsonDeserializer<String> {
    @Override
    public String deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
      return p.currentToken() == JsonToken.VALUE_STRING
          ? p.getText()
          : p.readValueAsTree().toString();
    }
  }

  /** A service id (frontend) or backend id, the address as {@code 10.0.0.1:80/TCP}. */
  public record LbIdState(String address, int id) {}
}
