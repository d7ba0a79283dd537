package io.jilium.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
  private static final String SERVICE =
      "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"a \\\"b\\\"\"}}";

  private static AgentState state(String serviceJson, String sliceJson, String policyJson) {
    return new AgentState(
        AgentState.VERSION,
        "node",
        "10.0.0.0/24",
        null,
        3,
        List.of(),
        List.of(),
        List.of(),
        List.of(new AgentState.PolicyState("CiliumNetworkPolicy", "ns", "p", policyJson, 2)),
        new AgentState.ServicesState(
            List.of(
                new AgentState.ServiceState(
                    serviceJson, List.of("IPv4"), List.of("10.96.0.1"), List.of(0))),
            List.of(new AgentState.EndpointSliceState(sliceJson)),
            List.of(new AgentState.LbIdState("10.96.0.1:80/TCP", 1)),
            List.of()));
  }

  @Test
  void resourcesAreSavedAsJsonObjectsAndReadBack(@TempDir Path dir) throws Exception {
    StateStore store = new StateStore(dir);
    store.save(state(SERVICE, "{\"kind\":\"EndpointSlice\",\"n\":[1,2.5,true,null]}", "{}"));

    JsonNode file = new ObjectMapper().readTree(Files.readString(store.file()));
    JsonNode svc = file.path("services").path("services").get(0).path("json");
    assertThat(svc.isObject()).as("an object, not an escaped string").isTrue();
    assertThat(svc.path("metadata").path("name").asText()).isEqualTo("a \"b\"");

    AgentState back = store.load().orElseThrow();
    assertThat(back.services().services().getFirst().json()).isEqualTo(SERVICE);
    assertThat(back.services().endpointSlices().getFirst().json())
        .isEqualTo("{\"kind\":\"EndpointSlice\",\"n\":[1,2.5,true,null]}");
    assertThat(back.policies().getFirst().json()).isEqualTo("{}");
  }

  @Test
  void filesOfEarlierAgentsWithDocumentsAsStringsStillRead(@TempDir Path dir) throws Exception {
    StateStore store = new StateStore(dir);
    ObjectMapper json = new ObjectMapper();
    // the earlier format: each document a JSON string
    String old =
        """
        {"version":1,"nodeName":"node","podCidrV4":"10.0.0.0/24","policyRevision":3,
         "policies":[{"kind":"CiliumNetworkPolicy","namespace":"ns","name":"p","json":%s,"revision":2}],
         "services":{"services":[{"json":%s,"ipFamilies":["IPv4"],"clusterIps":["10.96.0.1"],
           "nodePorts":[0]}],"endpointSlices":[{"json":%s}],"serviceIds":[],"backendIds":[]}}
        """
            .formatted(
                json.writeValueAsString("{\"spec\":{}}"),
                json.writeValueAsString(SERVICE),
                json.writeValueAsString("{\"kind\":\"EndpointSlice\"}"));
    Files.writeString(store.file(), old);

    AgentState back = store.load().orElseThrow();
    assertThat(back.policies().getFirst().json()).isEqualTo("{\"spec\":{}}");
    assertThat(back.services().services().getFirst().json()).isEqualTo(SERVICE);
    assertThat(back.services().endpointSlices().getFirst().json())
        .isEqualTo("{\"kind\":\"EndpointSlice\"}");
  }
}
