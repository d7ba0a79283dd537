package io.jilium.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.jilium.api.agent.v1.ApplyRequest;
import io.jilium.api.agent.v1.ApplyResponse;
import io.jilium.api.agent.v1.Manifest;
import io.jilium.api.agent.v1.PolicyGetRequest;
import io.jilium.api.agent.v1.PolicyGetResponse;
import io.jilium.api.agent.v1.StatusResponse;
import io.jilium.cli.rpc.RpcException;
import io.jilium.cli.rpc.UnixGrpcChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Thousands of mutated policies through the agent's API: each is applied (then deleted) or refused
 * cleanly (INVALID_ARGUMENT or NOT_FOUND, with nothing changed), never an internal error; the agent
 * keeps running and its datapath keeps enforcing the policy that was there before.
 */
@Tag("kernel")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class PolicyFuzzKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  private static final int MUTANTS = Integer.getInteger("jilium.it.fuzz.mutants", 2000);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String SERVICE = "/jilium.agent.v1.Agent/";
  private static final Set<String> CLEAN_REFUSALS = Set.of("INVALID_ARGUMENT", "NOT_FOUND");

  private static final String BASELINE =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata: {name: baseline, namespace: fuzz}
      spec:
        endpointSelector: {matchLabels: {app: srv}}
        ingress:
        - fromEndpoints: [{matchLabels: {app: good}}]
          toPorts: [{ports: [{port: "80", protocol: TCP}]}]
      """;

  private static final List<String> SEEDS =
      List.of(
          """
          {"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
           "metadata": {"name": "m", "namespace": "fuzz"},
           "spec": {"endpointSelector": {"matchLabels": {"app": "other"}},
             "ingress": [{"fromEndpoints": [{"matchLabels": {"app": "x"},
                 "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}],
               "toPorts": [{"ports": [{"port": "8080", "endPort": 8090, "protocol": "TCP"}]}]}],
             "egress": [{"toCIDRSet": [{"cidr": "192.0.2.0/24", "except": ["192.0.2.128/25"]}]},
               {"toEntities": ["world"], "icmps": [{"fields": [{"type": 8, "family": "IPv4"}]}]}],
             "ingressDeny": [{"fromCIDR": ["198.51.100.7/32"]}]}}
          """,
          """
          {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
           "metadata": {"name": "n", "namespace": "fuzz"},
           "spec": {"podSelector": {"matchLabels": {"app": "other"}},
             "policyTypes": ["Ingress", "Egress"],
             "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"ns": "y"}},
                 "podSelector": {"matchLabels": {"pod": "a"}}},
                 {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}],
               "ports": [{"port": "serve-80-tcp", "protocol": "TCP"}, {"port": 81, "endPort": 85}]}],
             "egress": [{"to": [{"podSelector": {}}]}]}}
          """,
          """
          {"apiVersion": "cilium.io/v2", "kind": "CiliumClusterwideNetworkPolicy",
           "metadata": {"name": "c"},
           "spec": {"endpointSelector": {"matchLabels": {"app": "other"}},
             "enableDefaultDeny": {"ingress": true, "egress": false},
             "ingress": [{"fromEntities": ["cluster", "host"],
               "toPorts": [{"ports": [{"port": "53", "protocol": "ANY"}]}]}]}}
          """);

  private static final Object[] VALUES = {
    "",
    "80",
    "99999",
    "-1",
    "0",
    "TCP",
    "udp",
    "ANY",
    "In",
    "Exists",
    "NotAnOperator",
    "10.0.0.0/8",
    "10.0.0.0/33",
    "::/0",
    "fd00::/129",
    "not-a-cidr",
    "x/y",
    "a b",
    "k8s:app",
    "reserved:host",
    "world",
    "EchoRequest",
    "x".repeat(300),
    0,
    1,
    65535,
    65536,
    -5,
    Integer.MAX_VALUE,
    Long.MAX_VALUE,
    3.5,
    true,
    false
  };

  private static final String[] FIELDS = {
    "fromEndpoints",
    "toEndpoints",
    "toPorts",
    "ports",
    "port",
    "endPort",
    "protocol",
    "fromCIDR",
    "toCIDRSet",
    "except",
    "icmps",
    "fields",
    "type",
    "family",
    "matchLabels",
    "matchExpressions",
    "key",
    "operator",
    "values",
    "ingressDeny",
    "egressDeny",
    "enableDefaultDeny",
    "nodeSelector",
    "toFQDNs",
    "rules",
    "http",
    "podSelector",
    "namespaceSelector",
    "ipBlock",
    "policyTypes",
    "from",
    "to",
    "bogus"
  };

  @Test
  void mutatedPoliciesAreAppliedOrRefusedCleanlyAndTheAgentKeepsEnforcing() throws Exception {
    Pod srv = Net.serverPod(agent, "fuzz/srv", "app=srv");
    Pod good = agent.podRun("fuzz/good", "app=good");
    Pod bad = agent.podRun("fuzz/bad", "app=bad");
    Net.awaitListening(srv);
    agent.apply(BASELINE).assertOk();
    assertThat(Net.tcpConnect(good, srv.ipv4(), 80)).as("baseline allows good").isTrue();
    assertThat(Net.tcpConnect(bad, srv.ipv4(), 80)).as("baseline denies bad").isFalse();

    Random rnd = new Random(0xF022);
    List<JsonNode> seeds = new ArrayList<>();
    for (String s : SEEDS) {
      seeds.add(JSON.readTree(s));
    }
    int applied = 0;
    int refused = 0;
    try (UnixGrpcChannel ch = new UnixGrpcChannel(agent.socket())) {
      for (int i = 0; i < MUTANTS; i++) {
        JsonNode doc = mutate(seeds.get(rnd.nextInt(seeds.size())).deepCopy(), rnd);
        String text = JSON.writeValueAsString(doc);
        long before = revision(ch);
        try {
          ApplyResponse r = apply(ch, text, false);
          applied++;
          assertThat(r.getPolicyRevision())
              .as("mutant %d: %s", i, text)
              .isGreaterThanOrEqualTo(before);
          // delete it again so the next mutant starts from the baseline
          try {
            apply(ch, text, true);
          } catch (RpcException e) {
            assertThat(e.code())
                .as("delete of mutant %d: %s\n%s", i, e.getMessage(), text)
                .isIn(CLEAN_REFUSALS);
          }
        } catch (RpcException e) {
          refused++;
          assertThat(e.code())
              .as("mutant %d refused with %s: %s\n%s", i, e.code(), e.getMessage(), text)
              .isIn(CLEAN_REFUSALS);
          assertThat(e.getMessage()).as("mutant %d: the refusal says where", i).isNotBlank();
          assertThat(revision(ch))
              .as("mutant %d: a refused apply changes nothing", i)
              .isEqualTo(before);
        }
      }
      StatusResponse status = StatusResponse.parseFrom(ch.unary(SERVICE + "Status", new byte[0]));
      assertThat(status.getHealthy()).isTrue();
    }
    assertThat(agent.isRunning()).as("the agent survived %d mutants", MUTANTS).isTrue();
    assertThat(applied).as("some mutants must be valid, or the test proves little").isPositive();
    assertThat(refused).as("some mutants must be invalid, or the test proves little").isPositive();
    // the datapath still enforces the baseline
    assertThat(Net.tcpConnect(good, srv.ipv4(), 80)).as("baseline still allows good").isTrue();
    assertThat(Net.tcpConnect(bad, srv.ipv4(), 80)).as("baseline still denies bad").isFalse();
  }

  private static ApplyResponse apply(UnixGrpcChannel ch, String text, boolean delete)
      throws Exception {
    ApplyRequest req =
        ApplyRequest.newBuilder()
            .addManifests(
                Manifest.newBuilder()
                    .setSource("fuzz.json")
                    .setContent(ByteString.copyFromUtf8(text)))
            .setDelete(delete)
            .build();
    return ApplyResponse.parseFrom(ch.unary(SERVICE + "Apply", req.toByteArray()));
  }

  private static long revision(UnixGrpcChannel ch) throws Exception {
    return PolicyGetResponse.parseFrom(
            ch.unary(SERVICE + "PolicyGet", PolicyGetRequest.getDefaultInstance().toByteArray()))
        .getRevision();
  }

  /** One to three random edits: replace a value, delete or add a field, duplicate a list item. */
  private static JsonNode mutate(JsonNode root, Random rnd) {
    int edits = 1 + rnd.nextInt(3);
    for (int e = 0; e < edits; e++) {
      List<JsonNode> containers = new ArrayList<>();
      collect(root, containers);
      JsonNode target = containers.get(rnd.nextInt(containers.size()));
      if (target instanceof ObjectNode o) {
        List<String> names = new ArrayList<>();
        o.fieldNames().forEachRemaining(names::add);
        switch (rnd.nextInt(4)) {
          case 0 -> {
            if (!names.isEmpty() && !names.contains("apiVersion")) {
              o.remove(names.get(rnd.nextInt(names.size())));
            }
          }
          case 1 -> o.set(FIELDS[rnd.nextInt(FIELDS.length)], value(rnd));
          default -> {
            if (!names.isEmpty()) {
              String n = names.get(rnd.nextInt(names.size()));
              if (!n.equals("apiVersion") && !n.equals("kind")) {
                o.set(n, value(rnd));
              }
            }
          }
        }
      } else if (target instanceof ArrayNode a && !a.isEmpty()) {
        if (rnd.nextBoolean()) {
          a.add(a.get(rnd.nextInt(a.size())).deepCopy());
        } else {
          a.set(rnd.nextInt(a.size()), value(rnd));
        }
      }
    }
    return root;
  }

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
      for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
        collect(it.next(), out);
      }
    }
  }

  private static JsonNode value(Random rnd) {
    return switch (rnd.nextInt(5)) {
      case 0 -> NODES.objectNode();
      case 1 ->
          NODES.arrayNode().add(NODES.textNode(String.valueOf(VALUES[rnd.nextInt(VALUES.length)])));
      case 2 -> NODES.objectNode().set("matchLabels", JSON.valueToTree(Map.of("app", "x")));
      default -> JSON.valueToTree(VALUES[rnd.nextInt(VALUES.length)]);
    };
  }
}
