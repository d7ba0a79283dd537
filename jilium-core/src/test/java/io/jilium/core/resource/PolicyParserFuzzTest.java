package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Valid policies, mutated thousands of times from fixed seeds: parsing must either succeed or throw
 * a {@link ManifestException} whose every problem starts with {@code <file>: document <n>}. Any
 * other exception, or a run past the time bound, fails with the seed, iteration and input.
 */
class PolicyParserFuzzTest {
  private static final long SEED = 0x5EED_C1C1L;
  private static final int ITERATIONS = Integer.getInteger("jilium.fuzz.iterations", 4000);
  private static final Duration BOUND = Duration.ofSeconds(90);
  private static final String SOURCE = "fuzz.yaml";
  private static final Pattern PROBLEM =
      Pattern.compile("fuzz\\.yaml: document [1-9][0-9]*[ :].*", Pattern.DOTALL);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final String CNP =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: web
        namespace: team-a
        labels: {app: web}
      spec:
        description: web policy
        endpointSelector:
          matchLabels: {app: web}
          matchExpressions:
          - {key: tier, operator: In, values: [front, back]}
        ingress:
        - fromEndpoints:
          - matchLabels: {role: frontend}
          toPorts:
          - ports:
            - {port: "8080", protocol: TCP}
            - {port: http, protocol: TCP}
            - {port: "9000", endPort: 9100, protocol: UDP}
        - fromCIDR: [10.0.0.0/8, 192.168.1.1]
          icmps:
          - fields:
            - {type: 8, family: IPv4}
            - {type: EchoRequest, family: IPv6}
        - fromEntities: [world, host]
        ingressDeny:
        - fromCIDRSet:
          - {cidr: 10.96.0.0/12, except: [10.96.0.0/16]}
          toPorts: [{ports: [{port: "22"}]}]
        egress:
        - toCIDRSet: [{cidr: "2001:db8::/32", except: ["2001:db8::/64"]}]
          toPorts: [{ports: [{port: "443", protocol: TCP}]}]
        - toEndpoints: [{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system}}]
        egressDeny:
        - toEntities: [world]
          icmps: [{fields: [{type: TimeExceeded}]}]
        enableDefaultDeny: {ingress: true, egress: true}
      """;

  private static final String CCNP =
      """
      apiVersion: cilium.io/v2
      kind: CiliumClusterwideNetworkPolicy
      metadata: {name: cluster}
      specs:
      - endpointSelector: {}
        ingress: [{fromEntities: [cluster]}]
      - endpointSelector: {matchLabels: {app: db}}
        egress:
        - toCIDR: [8.8.8.8]
          toPorts: [{ports: [{port: "53", protocol: UDP}]}]
      """;

  private static final String NP =
      """
      apiVersion: networking.k8s.io/v1
      kind: NetworkPolicy
      metadata: {name: db, namespace: team-a}
      spec:
        podSelector:
          matchLabels: {app: db}
        policyTypes: [Ingress, Egress]
        ingress:
        - from:
          - podSelector: {matchLabels: {app: api}}
          - namespaceSelector: {matchLabels: {team: blue}}
            podSelector: {matchExpressions: [{key: app, operator: Exists}]}
          - ipBlock: {cidr: 172.16.0.0/12, except: [172.16.1.0/24]}
          ports:
          - {port: 5432, protocol: TCP}
          - {port: metrics}
          - {port: 30000, endPort: 32767, protocol: UDP}
        egress:
        - to: [{namespaceSelector: {}}]
          ports: [{protocol: UDP, port: 53}]
        - {}
      """;

  private static final String NAMESPACE =
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a, labels: {team: blue}}\n";

  /** Values that are meaningful somewhere in these documents, to reach deeper checks. */
  private static final String[] TOKENS = {
    "",
    " ",
    "0",
    "-1",
    "80",
    "65535",
    "65536",
    "99999",
    "08",
    "0x10",
    "http",
    "HTTP",
    "-http",
    "a--b",
    "my-very-long-port-name",
    "TCP",
    "tcp",
    "UDP",
    "SCTP",
    "ANY",
    "ICMP",
    "IPv4",
    "IPv6",
    "ipv6",
    "EchoRequest",
    "PacketTooBig",
    "Redirect",
    "RedirectMessage",
    "256",
    "Ingress",
    "Egress",
    "ingress",
    "world",
    "cluster",
    "all",
    "host",
    "everything",
    "In",
    "NotIn",
    "Exists",
    "DoesNotExist",
    "Equals",
    "k8s:app",
    "app",
    "a/b/c",
    "Example.com/x",
    "a b",
    "10.0.0.0/8",
    "10.0.0.0/33",
    "10.0.0.1",
    "10.0.0.1/8",
    "010.0.0.1/8",
    "::/0",
    "fd00::/129",
    "fe80::1%eth0",
    ".:1",
    "1.2.3.4/-1",
    "example.com",
    "0.0.0.0/0",
    "default",
    "kube-system",
    "Bad_Name",
    "cilium.io/v2",
    "networking.k8s.io/v1",
    "v1",
    "NetworkPolicy",
    "CiliumNetworkPolicy",
    "CiliumClusterwideNetworkPolicy",
    "Namespace",
    "List",
    "\u00e9\u00e8\u0000\ud83d\ude00",
    "a".repeat(300),
    "9".repeat(40),
  };

  private static final String[] FIELD_NAMES = {
    "spec",
    "specs",
    "ingress",
    "egress",
    "ingressDeny",
    "egressDeny",
    "fromEndpoints",
    "toEndpoints",
    "fromCIDR",
    "toCIDR",
    "fromCIDRSet",
    "toCIDRSet",
    "fromEntities",
    "toEntities",
    "toPorts",
    "ports",
    "port",
    "endPort",
    "protocol",
    "icmps",
    "fields",
    "type",
    "family",
    "cidr",
    "except",
    "cidrGroupRef",
    "nodeSelector",
    "endpointSelector",
    "podSelector",
    "namespaceSelector",
    "ipBlock",
    "from",
    "to",
    "policyTypes",
    "matchLabels",
    "matchExpressions",
    "key",
    "operator",
    "values",
    "rules",
    "toFQDNs",
    "listener",
    "unknown",
    "",
  };

  @Test
  void mutatedPoliciesParseOrFailWithAManifestException() {
    List<JsonNode> seeds = new ArrayList<>();
    for (String yaml : List.of(CNP, CCNP, NP, NAMESPACE)) {
      // the seeds themselves are valid
      assertThat(ResourceParser.parseAll(ManifestReader.read(SOURCE, yaml))).hasSize(1);
      seeds.add(ManifestReader.read(SOURCE, yaml).getFirst().content());
    }
    int[] outcomes = new int[2];
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          Random rnd = new Random(SEED);
          for (int i = 0; i < ITERATIONS; i++) {
            String text = mutant(seeds, rnd);
            outcomes[check(i, text) ? 0 : 1]++;
          }
        },
        () -> "fuzzing took longer than " + BOUND + " (seed " + SEED + ")");
    // Both outcomes happen often, or the mutations are too weak (or too strong) to mean much.
    assertThat(outcomes[0]).as("parsed").isGreaterThan(ITERATIONS / 50);
    assertThat(outcomes[1]).as("refused").isGreaterThan(ITERATIONS / 5);
  }

  /**
   * Every single edit of every field and list element of the seeds: removal, each JSON type, and
   * the edge values of the fields that have them. Deterministic, so a deep check the random
   * mutations rarely reach is still covered.
   */
  @Test
  void everySingleEditOfTheSeedsParsesOrFailsWithAManifestException() {
    List<JsonNode> edits =
        List.of(
            NODES.nullNode(),
            NODES.arrayNode(),
            NODES.objectNode(),
            NODES.textNode(""),
            NODES.numberNode(0),
            NODES.numberNode(-1),
            NODES.booleanNode(true),
            NODES.numberNode(1.5),
            NODES.textNode("x".repeat(300)));
    int[] count = {0};
    assertTimeoutPreemptively(
        BOUND,
        () -> {
          for (String yaml : List.of(CNP, CCNP, NP, NAMESPACE)) {
            JsonNode seed = ManifestReader.read(SOURCE, yaml).getFirst().content();
            List<JsonPointer> slots = new ArrayList<>();
            slots(seed, JsonPointer.empty(), slots);
            for (JsonPointer slot : slots) {
              String field = slot.last().getMatchingProperty();
              List<JsonNode> values = new ArrayList<>(edits);
              if (HOT.contains(field)) {
                for (Object v : edgeValues(field, new Random(SEED))) {
                  values.add(JSON.valueToTree(v));
                }
              }
              values.add(null); // removal
              for (JsonNode v : values) {
                JsonNode copy = seed.deepCopy();
                JsonNode parent = copy.at(slot.head());
                if (parent instanceof ObjectNode o) {
                  if (v == null) {
                    o.remove(field);
                  } else {
                    o.set(field, v);
                  }
                } else if (parent instanceof ArrayNode a) {
                  int i = slot.last().getMatchingIndex();
                  if (v == null) {
                    a.remove(i);
                  } else {
                    a.set(i, v);
                  }
                }
                check(count[0]++, JSON.writeValueAsString(copy));
              }
            }
          }
        });
    assertThat(count[0]).isGreaterThan(1000);
  }

  /** Pointers to every object field and list element under {@code n}. */
  private static void slots(JsonNode n, JsonPointer at, List<JsonPointer> out) {
    if (n instanceof ObjectNode o) {
      for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        JsonPointer p = at.appendProperty(name);
        out.add(p);
        slots(o.get(name), p, out);
      }
    } else if (n instanceof ArrayNode a) {
      for (int i = 0; i < a.size(); i++) {
        JsonPointer p = at.appendIndex(i);
        out.add(p);
        slots(a.get(i), p, out);
      }
    }
  }

  /** True when the text parsed; false when refused properly; an AssertionError otherwise. */
  private static boolean check(int iteration, String text) {
    try {
      ResourceParser.parseAll(ManifestReader.read(SOURCE, text));
      return true;
    } catch (ManifestException e) {
      assertThat(e.problems())
          .as("problems of iteration %d for:%n%s", iteration, text)
          .isNotEmpty();
      for (String p : e.problems()) {
        assertThat(p).as("iteration %d, input:%n%s", iteration, text).matches(PROBLEM);
      }
      return false;
    } catch (Throwable t) {
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      throw new AssertionError(
          "iteration "
              + iteration
              + " (seed "
              + SEED
              + ") threw "
              + t
              + " for input:\n"
              + text
              + "\n"
              + trace,
          t);
    }
  }

  private static String mutant(List<JsonNode> seeds, Random rnd) throws JsonProcessingException {
    List<JsonNode> docs = new ArrayList<>();
    int count = rnd.nextInt(8) == 0 ? 2 : 1;
    for (int d = 0; d < count; d++) {
      JsonNode doc = seeds.get(rnd.nextInt(seeds.size())).deepCopy();
      int mutations = rnd.nextBoolean() ? 1 : 1 + rnd.nextInt(4);
      for (int m = 0; m < mutations; m++) {
        doc = mutate(doc, rnd);
      }
      docs.add(doc);
    }
    String text;
    if (rnd.nextBoolean()) {
      StringBuilder sb = new StringBuilder();
      for (JsonNode doc : docs) {
        sb.append("---\n").append(YAML.writeValueAsString(doc).replaceFirst("^---\n", ""));
      }
      text = sb.toString();
    } else {
      text =
          docs.size() == 1 ? JSON.writeValueAsString(docs.get(0)) : JSON.writeValueAsString(docs);
    }
    if (rnd.nextInt(8) == 0) {
      text = mutateText(text, rnd);
    }
    return text;
  }

  /** One structural mutation somewhere in the tree; returns the (possibly new) root. */
  private static JsonNode mutate(JsonNode root, Random rnd) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    if (containers.isEmpty()) {
      return NODES.arrayNode().add(root);
    }
    List<ObjectNode> hot = new ArrayList<>();
    for (JsonNode c : containers) {
      if (c instanceof ObjectNode o && HOT.stream().anyMatch(o::has)) {
        hot.add(o);
      }
    }
    if (!hot.isEmpty() && rnd.nextInt(3) == 0) {
      // a single edge value in an otherwise valid document reaches the deepest checks
      ObjectNode o = hot.get(rnd.nextInt(hot.size()));
      List<String> names = HOT.stream().filter(o::has).toList();
      String name = names.get(rnd.nextInt(names.size()));
      o.set(name, interesting(name, rnd));
      return root;
    }
    JsonNode target = containers.get(rnd.nextInt(containers.size()));
    if (target instanceof ObjectNode o) {
      List<String> names = new ArrayList<>();
      o.fieldNames().forEachRemaining(names::add);
      String name = names.isEmpty() ? "x" : names.get(rnd.nextInt(names.size()));
      switch (rnd.nextInt(11)) {
        case 0 -> o.remove(name);
        case 1 -> o.set(FIELD_NAMES[rnd.nextInt(FIELD_NAMES.length)], randomValue(rnd, 0));
        case 2 -> o.set(name, randomValue(rnd, 0));
        case 3 -> o.set(name, NODES.textNode(TOKENS[rnd.nextInt(TOKENS.length)]));
        case 4 -> o.set(name, NODES.numberNode(randomNumber(rnd)));
        case 5 -> o.set(name, deep(rnd, 1 + rnd.nextInt(200)));
        case 6 -> {
          JsonNode v = o.get(name);
          if (v != null) {
            ArrayNode a = NODES.arrayNode();
            a.add(v.deepCopy());
            o.set(name, rnd.nextBoolean() ? a : NODES.textNode(v.toString()));
          }
        }
        case 7 -> {
          JsonNode v = o.get(name);
          o.set(
              name + (rnd.nextBoolean() ? "s" : "_"), v == null ? NODES.nullNode() : v.deepCopy());
        }
        default -> o.set(name, interesting(name, rnd));
      }
    } else if (target instanceof ArrayNode a) {
      int i = a.isEmpty() ? 0 : rnd.nextInt(a.size());
      switch (rnd.nextInt(6)) {
        case 0 -> {
          if (!a.isEmpty()) {
            a.remove(i);
          }
        }
        case 1 -> {
          if (!a.isEmpty()) {
            a.add(a.get(i).deepCopy());
          }
        }
        case 2 -> a.add(randomValue(rnd, 0));
        case 3 -> {
          if (!a.isEmpty()) {
            a.set(i, NODES.textNode(TOKENS[rnd.nextInt(TOKENS.length)]));
          }
        }
        case 4 -> {
          // past Cilium's 40 ports or ICMP fields per element; copies of small elements only,
          // so documents do not grow without bound
          JsonNode copy =
              a.isEmpty() || a.get(0).toString().length() > 100 ? NODES.objectNode() : a.get(0);
          for (int k = 0; k < 41; k++) {
            a.add(copy.deepCopy());
          }
        }
        default -> a.removeAll();
      }
    }
    return rnd.nextInt(200) == 0 ? randomValue(rnd, 0) : root;
  }

  /** A value close to the edge of what the field accepts, so mutants reach the deep checks. */
  private static JsonNode interesting(String field, Random rnd) {
    Object[] values = edgeValues(field, rnd);
    return JSON.valueToTree(values[rnd.nextInt(values.length)]);
  }

  private static Object[] edgeValues(String field, Random rnd) {
    return switch (field) {
      case "port" ->
          new Object[] {
            0,
            1,
            80,
            65535,
            65536,
            -1,
            "0",
            "80",
            "65536",
            "http",
            "HTTP",
            "web--http",
            "-http",
            "",
            "0x10",
            "0000000000080",
            new BigInteger("99999999999")
          };
      case "endPort" -> new Object[] {0, 1, 79, 80, 9000, 65535, 65536, -5, 4294967376L, "90"};
      case "type" ->
          new Object[] {
            0,
            8,
            128,
            255,
            256,
            -1,
            "8",
            "08",
            "255",
            "EchoRequest",
            "PacketTooBig",
            "Redirect",
            "RedirectMessage",
            "Echo",
            "Ping"
          };
      case "family" -> new Object[] {"IPv4", "IPv6", "ipv6", "", 4};
      case "protocol" -> new Object[] {"TCP", "UDP", "SCTP", "ANY", "tcp", "ICMP"};
      case "cidr" -> CIDRS;
      case "except", "fromCIDR", "toCIDR" ->
          new Object[] {
            List.of(CIDRS[rnd.nextInt(CIDRS.length)]),
            List.of("10.1.0.0/16", "10.2.0.0/16"),
            List.of(),
            "10.0.0.0/8"
          };
      case "policyTypes" ->
          new Object[] {
            List.of("Ingress"),
            List.of("Egress", "Egress"),
            List.of("ingress"),
            List.of(),
            "Ingress"
          };
      case "operator" -> new Object[] {"In", "NotIn", "Exists", "DoesNotExist", "Equals"};
      case "values" -> new Object[] {List.of(), List.of("a"), List.of("a b"), "a"};
      case "fromEntities", "toEntities" ->
          new Object[] {List.of("world"), List.of("everything"), List.of()};
      case "name", "namespace" -> new Object[] {"a", "Bad_Name", "a.b", "", "x".repeat(254)};
      default -> TOKENS;
    };
  }

  private static final List<String> HOT =
      List.of(
          "port",
          "endPort",
          "type",
          "family",
          "protocol",
          "cidr",
          "except",
          "fromCIDR",
          "toCIDR",
          "policyTypes",
          "operator",
          "values",
          "fromEntities",
          "toEntities",
          "name",
          "namespace");

  private static final String[] CIDRS = {
    "10.0.0.0/8", "10.0.0.1", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/08", "::/0", "fd00::/64",
    "fd00::/129", "010.0.0.0/8", ".:1", "", "0.0.0.0/0", "::ffff:10.0.0.0/104", "1.2.3.4/-1"
  };

  private static void collect(JsonNode n, List<JsonNode> out) {
    if (n.isContainerNode()) {
      out.add(n);
      for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
        collect(it.next(), out);
      }
    }
  }

  private static JsonNode randomValue(Random rnd, int depth) {
    return switch (rnd.nextInt(depth > 3 ? 6 : 8)) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(rnd.nextBoolean());
      case 2 -> NODES.numberNode(randomNumber(rnd));
      case 3 -> NODES.numberNode(rnd.nextDouble() * 1000 - 500);
      case 4 -> NODES.textNode(TOKENS[rnd.nextInt(TOKENS.length)]);
      case 5 -> NODES.textNode(randomString(rnd));
      case 6 -> {
        ArrayNode a = NODES.arrayNode();
        for (int k = rnd.nextInt(4); k > 0; k--) {
          a.add(randomValue(rnd, depth + 1));
        }
        yield a;
      }
      default -> {
        ObjectNode o = NODES.objectNode();
        for (int k = rnd.nextInt(4); k > 0; k--) {
          o.set(FIELD_NAMES[rnd.nextInt(FIELD_NAMES.length)], randomValue(rnd, depth + 1));
        }
        yield o;
      }
    };
  }

  private static BigInteger randomNumber(Random rnd) {
    long[] edges = {0, 1, -1, 255, 256, 65535, 65536, 70000, Integer.MAX_VALUE, Long.MIN_VALUE};
    return switch (rnd.nextInt(4)) {
      case 0 -> BigInteger.valueOf(edges[rnd.nextInt(edges.length)]);
      case 1 -> BigInteger.valueOf(rnd.nextInt(70000));
      case 2 -> new BigInteger(100, rnd).negate();
      default -> BigInteger.valueOf(rnd.nextLong());
    };
  }

  private static String randomString(Random rnd) {
    String alphabet = "aZ09-_./:*?\\\"'{}[],#&!|>%@`~ \t\n\u00ff\u2028";
    StringBuilder sb = new StringBuilder();
    for (int k = rnd.nextInt(20); k > 0; k--) {
      sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static JsonNode deep(Random rnd, int depth) {
    JsonNode n = NODES.textNode("leaf");
    for (int k = 0; k < depth; k++) {
      if (rnd.nextBoolean()) {
        n = NODES.arrayNode().add(n);
      } else {
        ObjectNode o = NODES.objectNode();
        o.set(FIELD_NAMES[rnd.nextInt(FIELD_NAMES.length)], n);
        n = o;
      }
    }
    return n;
  }

  /** Damage to the text itself: truncation, stray characters, deep bracket nesting. */
  private static String mutateText(String text, Random rnd) {
    int at = rnd.nextInt(text.length() + 1);
    return switch (rnd.nextInt(5)) {
      case 0 -> text.substring(0, at);
      case 1 ->
          text.substring(0, at) + "\t:{[\"'&*!%\n".charAt(rnd.nextInt(11)) + text.substring(at);
      case 2 -> text.substring(0, at) + "\n---\n" + text.substring(at);
      case 3 -> "[".repeat(1 + rnd.nextInt(5000)) + text;
      default -> text + "\n" + "- ".repeat(1 + rnd.nextInt(3000)) + "x\n";
    };
  }
}
