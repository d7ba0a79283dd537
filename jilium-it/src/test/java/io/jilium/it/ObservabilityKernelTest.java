package io.jilium.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What operators see: drop events in {@code monitor}, drop counters in {@code status}, and the
 * kernel maps decoded ({@code bpf policy get}, {@code bpf ct list}, {@code bpf ipcache list}).
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ObservabilityKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  private static final int POLICY_DENIED = 133;

  private static final String POLICY =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: web-from-client
        namespace: obs
      spec:
        endpointSelector:
          matchLabels:
            app: web
        ingress:
        - fromEndpoints:
          - matchLabels:
              app: client
          toPorts:
          - ports:
            - port: "80"
              protocol: TCP
      """;

  @Test
  void aDeniedConnectionShowsUpInMonitorAndStatus() throws Exception {
    Pod web = Net.serverPod(agent, "obs/web", "app=web");
    Pod intruder = agent.podRun("obs/intruder", "app=intruder");
    agent.apply(POLICY);

    try (Proc monitor = agent.cliBackground("monitor", "-o", "json", "--count", "1")) {
      monitor.closeStdin();
      // the monitor subscribes asynchronously: repeat the denied connection until it reports
      // one (bounded); each attempt is itself a ~1.5 s wait for the drop
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (monitor.isAlive() && System.nanoTime() < deadline) {
        Net.assertTcpDropped(intruder, web.ipv4(), Net.HTTP);
      }
      assertThat(monitor.waitFor(Duration.ofSeconds(10)))
          .as("monitor --count 1 exits after one event; stderr: %s", monitor.stderr())
          .contains(0);
      String line = monitor.stdout().strip();
      assertThat(line.lines().count()).as("one JSON object per line:\n%s", line).isEqualTo(1);
      JsonNode e = new ObjectMapper().readTree(line);
      assertThat(e.path("type").asText()).isEqualTo("drop");
      assertThat(e.path("reason").asInt()).as("%s", line).isEqualTo(POLICY_DENIED);
      assertThat(e.path("reasonDescription").asText()).isEqualTo("Policy denied");
      assertThat(e.path("sourcePod").asText()).isEqualTo("obs/intruder");
      assertThat(e.path("destinationPod").asText()).isEqualTo("obs/web");
      assertThat(e.path("sourceIdentity").asInt()).isEqualTo(intruder.identity());
      assertThat(e.path("destinationIdentity").asInt()).isEqualTo(web.identity());
      assertThat(e.path("sourceIp").asText()).isEqualTo(intruder.ipv4());
      assertThat(e.path("destinationIp").asText()).isEqualTo(web.ipv4());
      assertThat(e.path("destinationPort").asInt()).isEqualTo(Net.HTTP);
      assertThat(e.path("protocol").asText()).isEqualTo("TCP");
      assertThat(e.path("direction").asText()).isEqualTo("ingress");
      assertThat(e.path("destinationEndpoint").asInt()).isEqualTo(web.endpointId());
    }

    JsonNode status = agent.status();
    long denied = 0;
    for (JsonNode d : status.path("drops")) {
      if (d.path("reason").asInt() == POLICY_DENIED) {
        denied += d.path("packets").asLong();
      }
    }
    assertThat(denied)
        .as("status drop counter for reason 133:\n%s", status.path("drops"))
        .isPositive();
    assertThat(status.path("healthy").asBoolean()).isTrue();
    assertThat(status.path("nodeName").asText()).isEqualTo(agent.node());
    assertThat(status.path("podCidrV4").asText()).isEqualTo(agent.cidrV4());
    assertThat(status.path("endpoints").asInt()).isEqualTo(2);
    assertThat(status.path("policies").asInt()).isEqualTo(1);
  }

  @Test
  void anIpv6DropIsReportedWithItsAddresses() throws Exception {
    Pod web = Net.serverPod(agent, "obs/web6", "app=web");
    Pod intruder = agent.podRun("obs/intruder6", "app=intruder");
    agent.apply(POLICY);
    try (Proc monitor = agent.cliBackground("monitor", "-o", "json", "--count", "1")) {
      monitor.closeStdin();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (monitor.isAlive() && System.nanoTime() < deadline) {
        Net.assertUdpDropped(intruder, web.ipv6(), Net.DNS);
      }
      assertThat(monitor.waitFor(Duration.ofSeconds(10)))
          .as("monitor exits; stderr: %s", monitor.stderr())
          .contains(0);
      JsonNode e = new ObjectMapper().readTree(monitor.stdout().strip());
      assertThat(e.path("reason").asInt()).isEqualTo(POLICY_DENIED);
      assertThat(e.path("family").asText()).isEqualTo("IPv6");
      assertThat(e.path("protocol").asText()).isEqualTo("UDP");
      assertThat(e.path("sourceIp").asText()).isEqualTo(intruder.ipv6());
      assertThat(e.path("destinationIp").asText()).isEqualTo(web.ipv6());
      assertThat(e.path("destinationPort").asInt()).isEqualTo(Net.DNS);
      assertThat(e.path("sourcePod").asText()).isEqualTo("obs/intruder6");
      assertThat(e.path("destinationPod").asText()).isEqualTo("obs/web6");
    }
  }

  @Test
  void anEgressDropIsReportedFromTheClientsSide() throws Exception {
    Pod web = Net.serverPod(agent, "obs/eweb", "app=web");
    Pod client = agent.podRun("obs/eclient", "app=client");
    agent.apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: client-out
          namespace: obs
        spec:
          endpointSelector:
            matchLabels:
              app: client
          egress:
          - toEndpoints:
            - matchLabels:
                app: web
            toPorts:
            - ports:
              - port: "80"
                protocol: TCP
        """);
    try (Proc monitor = agent.cliBackground("monitor", "-o", "json", "--count", "1")) {
      monitor.closeStdin();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (monitor.isAlive() && System.nanoTime() < deadline) {
        Net.assertTcpDropped(client, web.ipv4(), Net.ALT);
      }
      assertThat(monitor.waitFor(Duration.ofSeconds(10))).contains(0);
      JsonNode e = new ObjectMapper().readTree(monitor.stdout().strip());
      assertThat(e.path("reason").asInt()).as("%s", e).isEqualTo(POLICY_DENIED);
      assertThat(e.path("direction").asText()).isEqualTo("egress");
      assertThat(e.path("sourcePod").asText()).isEqualTo("obs/eclient");
      assertThat(e.path("destinationPod").asText()).isEqualTo("obs/eweb");
      assertThat(e.path("sourceIdentity").asInt()).isEqualTo(client.identity());
      assertThat(e.path("destinationIdentity").asInt()).isEqualTo(web.identity());
      assertThat(e.path("sourceEndpoint").asInt()).isEqualTo(client.endpointId());
      assertThat(e.path("destinationPort").asInt()).isEqualTo(Net.ALT);
    }
    long egressDrops = 0;
    for (JsonNode d : agent.status().path("drops")) {
      if (d.path("reason").asInt() == POLICY_DENIED
          && d.path("direction").asText().equals("egress")) {
        egressDrops += d.path("packets").asLong();
      }
    }
    assertThat(egressDrops).as("egress drop counter for reason 133").isPositive();
  }

  @Test
  void bpfPolicyGetShowsAllowEntriesWithTheirPolicy() {
    Pod web = Net.serverPod(agent, "obs/pweb", "app=web");
    Pod client = agent.podRun("obs/pclient", "app=client");
    agent.apply(POLICY);
    Net.assertTcpAllowed(client, web.ipv4(), Net.HTTP);

    JsonNode map =
        agent.json("bpf", "policy", "get", String.valueOf(web.endpointId()), "-o", "json");
    assertThat(map.path("endpointId").asInt()).isEqualTo(web.endpointId());
    JsonNode entry = null;
    for (JsonNode e : map.path("entries")) {
      if (e.path("identity").asInt() == client.identity()) {
        entry = e;
      }
    }
    assertThat(entry)
        .as("an entry for the client's identity %d in\n%s", client.identity(), map)
        .isNotNull();
    assertThat(entry.path("direction").asText()).isEqualTo("Ingress");
    assertThat(entry.path("protocol").asText()).isEqualTo("TCP");
    assertThat(entry.path("port").asInt()).isEqualTo(80);
    assertThat(entry.path("verdict").asText()).isEqualTo("allow");
    assertThat(texts(entry.path("derivedFrom")))
        .containsExactly("CiliumNetworkPolicy obs/web-from-client spec.ingress[0]");
    assertThat(texts(entry.path("identityLabels"))).contains("k8s:app=client");
    assertThat(entry.path("packets").asLong())
        .as("the allowed connection was counted")
        .isPositive();

    // the table form names the policy too
    assertThat(
            agent.cli("bpf", "policy", "get", String.valueOf(web.endpointId())).assertOk().stdout())
        .contains("CiliumNetworkPolicy obs/web-from-client");
    agent.cli("bpf", "policy", "get", "4242").assertFails();
  }

  @Test
  void bpfCtListShowsTheConnection() {
    Pod web = Net.serverPod(agent, "obs/cweb", "app=web");
    Pod client = agent.podRun("obs/cclient", "app=client");
    try (Net.Connection c = Net.Connection.open(client, web.ipv4(), Net.ECHO)) {
      c.assertFlows();
      JsonNode ct = agent.json("bpf", "ct", "list", "-o", "json");
      List<String> directions = new ArrayList<>();
      for (JsonNode e : ct) {
        if (e.path("protocol").asText().equals("TCP")
            && e.path("source").asText().equals(client.ipv4())
            && e.path("destination").asText().equals(web.ipv4())
            && e.path("destinationPort").asInt() == Net.ECHO) {
          directions.add(e.path("direction").asText());
          assertThat(e.path("family").asText()).isEqualTo("IPv4");
          assertThat(e.path("txPackets").asLong()).isPositive();
          assertThat(e.path("rxPackets").asLong()).as("replies counted: %s", e).isPositive();
          assertThat(e.path("expiresInSeconds").asLong())
              .as("an established connection lives long: %s", e)
              .isGreaterThan(60);
        }
      }
      // one entry at the client's veth (egress) and one at the server's (ingress)
      assertThat(directions)
          .as("ct entries of the connection in\n%s", ct)
          .containsExactlyInAnyOrder("egress", "ingress");
    }
  }

  @Test
  void bpfIpCacheListShowsPodsHostAndWorld() {
    Pod a = agent.podRun("obs/ipa", "app=a");
    Pod b = agent.podRun("obs/ipb", "app=b");
    JsonNode list = agent.json("bpf", "ipcache", "list", "-o", "json");
    java.util.Map<String, Integer> byPrefix = new java.util.HashMap<>();
    for (JsonNode e : list) {
      byPrefix.put(e.path("prefix").asText(), e.path("identity").asInt());
    }
    assertThat(byPrefix)
        .containsEntry(a.ipv4() + "/32", a.identity())
        .containsEntry(a.ipv6() + "/128", a.identity());
    assertThat(byPrefix)
        .containsEntry(b.ipv4() + "/32", b.identity())
        .containsEntry(b.ipv6() + "/128", b.identity());
    var ids = agent.identities();
    assertThat(byPrefix).containsKeys("0.0.0.0/0", "::/0");
    assertThat(ids.get(byPrefix.get("0.0.0.0/0")))
        .as("0.0.0.0/0 is world")
        .allMatch(l -> l.startsWith("reserved:world"));
    assertThat(ids.get(byPrefix.get("::/0")))
        .as("::/0 is world")
        .allMatch(l -> l.startsWith("reserved:world"));
    assertThat(byPrefix).as("the host's loopback is host").containsEntry("127.0.0.1/32", 1);
    String table = agent.cli("bpf", "ipcache", "list").assertOk().stdout();
    assertThat(table).contains(a.ipv4() + "/32").contains("identity=" + a.identity());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
