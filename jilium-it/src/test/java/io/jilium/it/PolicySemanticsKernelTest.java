package io.jilium.it;

import static io.jilium.it.Net.assertTcpAllowed;
import static io.jilium.it.Net.assertTcpDropped;
import static io.jilium.it.Net.assertUdpAllowed;
import static io.jilium.it.Net.assertUdpDropped;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The finer points of CiliumNetworkPolicy, with real traffic: named ports, port ranges, deny rules,
 * namespace scoping and clusterwide policies, selector expressions, entities, policies that exist
 * before their pods, and established connections across a policy change.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PolicySemanticsKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  private static String cnp(String name, String namespace, String spec) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: %s
          namespace: %s
        spec:
        %s"""
        .formatted(name, namespace, spec.indent(2));
  }

  @Test
  void namedPortsResolveToThePodsPorts() {
    Pod srv = Net.serverPod(agent, "sem/srv", "app=srv");
    Pod cli = agent.podRun("sem/cli", "app=cli");
    String ingress =
        cnp(
            "named-in",
            "sem",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: cli}}]
              toPorts:
              - ports:
                - port: http
                  protocol: TCP
                - port: dns
                  protocol: UDP
            """);
    agent.apply(ingress);
    for (int f : new int[] {4, 6}) {
      assertTcpAllowed(cli, srv.ip(f), Net.HTTP);
      assertTcpDropped(cli, srv.ip(f), Net.ALT);
      assertUdpAllowed(cli, srv.ip(f), Net.DNS);
      assertUdpDropped(cli, srv.ip(f), Net.ALT_UDP);
    }
    agent.delete(ingress);

    // egress: the name is looked up among the peers' ports
    agent.apply(
        cnp(
            "named-out",
            "sem",
            """
            endpointSelector: {matchLabels: {app: cli}}
            egress:
            - toEndpoints: [{matchLabels: {app: srv}}]
              toPorts:
              - ports:
                - port: alt
                  protocol: TCP
            """));
    assertTcpAllowed(cli, srv.ipv4(), Net.ALT);
    assertTcpDropped(cli, srv.ipv4(), Net.HTTP);
  }

  /**
   * A CIDR rule naming a pod's own /32 gets a CIDR identity for that prefix, but the pod's packets
   * keep the pod's identity (Cilium's ipcache precedence), while the rule is in force and after it
   * is gone: a label-based allow for the pod keeps working throughout.
   */
  @Test
  void aCidrNamingAPodAddressDoesNotTakeThePodsIdentity() {
    Pod srv = Net.serverPod(agent, "sem/csrv", "app=srv");
    Pod cli = agent.podRun("sem/ccli", "app=cli");
    agent.apply(
        cnp(
            "from-cli",
            "sem",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: cli}}]
            """));
    String cidrPolicy =
        cnp(
            "cidr-of-cli",
            "sem",
            """
            endpointSelector: {matchLabels: {app: cli}}
            egress:
            - toCIDR: [%s/32]
            - toEndpoints: [{}]
            """
                .formatted(cli.ipv4()));
    agent.apply(cidrPolicy);
    assertThat(ipcacheIdentity(cli.ipv4() + "/32")).isEqualTo(cli.identity());
    assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);

    agent.delete(cidrPolicy);
    assertThat(ipcacheIdentity(cli.ipv4() + "/32")).isEqualTo(cli.identity());
    assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
  }

  private static int ipcacheIdentity(String prefix) {
    for (JsonNode e : agent.cli("bpf", "ipcache", "list", "-o", "json").assertOk().json()) {
      if (e.path("prefix").asText().equals(prefix)) {
        return e.path("identity").asInt();
      }
    }
    throw new AssertionError("no ipcache entry for " + prefix);
  }

  @Test
  void portRangesAllowEveryPortInTheRange() {
    Pod srv = Net.serverPod(agent, "sem/rsrv", "app=srv");
    Pod cli = agent.podRun("sem/rcli", "app=cli");
    agent.apply(
        cnp(
            "range",
            "sem",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: cli}}]
              toPorts:
              - ports:
                - port: "7000"
                  endPort: 8080
                  protocol: TCP
            """));
    for (int f : new int[] {4, 6}) {
      assertTcpAllowed(cli, srv.ip(f), Net.ALT);
      try (Net.Connection c = Net.Connection.open(cli, srv.ip(f), Net.ECHO)) {
        c.assertFlows();
      }
      assertTcpDropped(cli, srv.ip(f), Net.HTTP);
    }
  }

  @Test
  void aDenyRuleWinsOverAnAllowAndIsReportedAsSuch() throws Exception {
    Pod srv = Net.serverPod(agent, "sem/dsrv", "app=srv");
    Pod cli = agent.podRun("sem/dcli", "app=cli");
    agent.apply(
        cnp(
            "allow-all-but-8080",
            "sem",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: cli}}]
            ingressDeny:
            - fromEndpoints: [{matchLabels: {app: cli}}]
              toPorts:
              - ports:
                - port: "8080"
                  protocol: TCP
            """));
    assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
    assertUdpAllowed(cli, srv.ipv6(), Net.DNS);
    try (Proc monitor = agent.cliBackground("monitor", "-o", "json", "--count", "1")) {
      monitor.closeStdin();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (monitor.isAlive() && System.nanoTime() < deadline) {
        assertTcpDropped(cli, srv.ipv4(), Net.ALT);
      }
      assertThat(monitor.waitFor(Duration.ofSeconds(10))).contains(0);
      JsonNode e = new ObjectMapper().readTree(monitor.stdout().strip());
      assertThat(e.path("reason").asInt()).as("policy deny (181): %s", e).isEqualTo(181);
      assertThat(e.path("destinationPort").asInt()).isEqualTo(Net.ALT);
    }
    JsonNode map =
        agent.json("bpf", "policy", "get", String.valueOf(srv.endpointId()), "-o", "json");
    boolean deny = false;
    for (JsonNode e : map.path("entries")) {
      deny |= e.path("verdict").asText().equals("deny") && e.path("port").asInt() == Net.ALT;
    }
    assertThat(deny).as("a deny entry for 8080 in\n%s", map).isTrue();
  }

  @Test
  void aNamespacedPolicyOnlyAdmitsPeersOfItsNamespaceUnlessItNamesAnother() {
    Pod srv = Net.serverPod(agent, "sem-a/srv", "app=srv");
    Pod local = agent.podRun("sem-a/cli", "app=cli");
    Pod foreign = agent.podRun("sem-b/cli", "app=cli");
    agent.apply(
        cnp(
            "same-ns",
            "sem-a",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: cli}}]
            """));
    assertTcpAllowed(local, srv.ipv4(), Net.HTTP);
    assertTcpDropped(foreign, srv.ipv4(), Net.HTTP);

    agent.apply(
        cnp(
            "from-b",
            "sem-a",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEndpoints:
              - matchLabels:
                  app: cli
                  k8s:io.kubernetes.pod.namespace: sem-b
            """));
    assertTcpAllowed(foreign, srv.ipv4(), Net.HTTP);
    assertTcpAllowed(local, srv.ipv4(), Net.HTTP);

    // a policy in sem-b does not select sem-a's pods
    agent.cli("policy", "delete", "--all").assertOk();
    agent.apply(
        cnp(
            "elsewhere",
            "sem-b",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: nobody}}]
            """));
    assertTcpAllowed(foreign, srv.ipv4(), Net.ALT);
  }

  @Test
  void aClusterwidePolicySelectsAndAdmitsAcrossNamespaces() {
    Pod srvA = Net.serverPod(agent, "ccnp-a/srv", "app=srv");
    Pod srvB = Net.serverPod(agent, "ccnp-b/srv", "app=srv");
    Pod cliB = agent.podRun("ccnp-b/cli", "app=cli");
    Pod other = agent.podRun("ccnp-a/other", "app=other");
    String ccnp =
        """
        apiVersion: cilium.io/v2
        kind: CiliumClusterwideNetworkPolicy
        metadata:
          name: srv-from-cli-anywhere
        spec:
          endpointSelector:
            matchLabels:
              app: srv
          ingress:
          - fromEndpoints:
            - matchLabels:
                app: cli
            toPorts:
            - ports:
              - port: "80"
                protocol: TCP
        """;
    assertThat(agent.apply(ccnp).stdout()).contains("srv-from-cli-anywhere created");
    assertTcpAllowed(cliB, srvA.ipv4(), Net.HTTP);
    assertTcpAllowed(cliB, srvB.ipv6(), Net.HTTP);
    assertTcpDropped(cliB, srvA.ipv4(), Net.ALT);
    assertTcpDropped(other, srvA.ipv4(), Net.HTTP);
    assertTcpDropped(other, srvB.ipv4(), Net.HTTP);
    agent.delete(ccnp);
    assertTcpAllowed(other, srvA.ipv4(), Net.HTTP);
  }

  @Test
  void matchExpressionsAndEntities() {
    Pod srv = Net.serverPod(agent, "sem/esrv", "app=srv");
    Pod web = agent.podRun("sem/web", "app=web,env=prod");
    Pod dev = agent.podRun("sem/dev", "app=web,env=dev");
    Pod bare = agent.podRun("sem/bare", "app=bare");
    agent.apply(
        cnp(
            "exprs",
            "sem",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEndpoints:
              - matchExpressions:
                - {key: app, operator: In, values: [web, api]}
                - {key: env, operator: NotIn, values: [dev]}
              toPorts:
              - ports:
                - {port: "80", protocol: TCP}
            - fromEndpoints:
              - matchExpressions:
                - {key: env, operator: DoesNotExist}
              toPorts:
              - ports:
                - {port: "8080", protocol: TCP}
            """));
    assertTcpAllowed(web, srv.ipv4(), Net.HTTP);
    assertTcpDropped(dev, srv.ipv4(), Net.HTTP);
    assertTcpDropped(bare, srv.ipv4(), Net.HTTP);
    assertTcpAllowed(bare, srv.ipv4(), Net.ALT);
    assertTcpDropped(web, srv.ipv4(), Net.ALT);

    agent.cli("policy", "delete", "--all").assertOk();
    agent.apply(
        cnp(
            "entity-all",
            "sem",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEntities: [all]
              toPorts:
              - ports:
                - {port: "80", protocol: TCP}
            """));
    assertTcpAllowed(dev, srv.ipv6(), Net.HTTP);
    assertTcpAllowed(bare, srv.ipv4(), Net.HTTP);
    assertTcpDropped(bare, srv.ipv4(), Net.ALT);
  }

  @Test
  void aPolicyAppliedBeforeItsPodsExistHoldsFromTheirFirstPacket() {
    agent.apply(
        cnp(
            "early",
            "sem",
            """
            endpointSelector: {matchLabels: {app: late-srv}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: late-cli}}]
              toPorts:
              - ports:
                - {port: "80", protocol: TCP}
            """));
    Pod srv = Net.serverPod(agent, "sem/late-srv", "app=late-srv");
    Pod intruder = agent.podRun("sem/late-intruder", "app=intruder");
    assertTcpDropped(intruder, srv.ipv4(), Net.HTTP);
    // a client whose identity is new when it arrives is admitted at once
    Pod cli = agent.podRun("sem/late-cli", "app=late-cli");
    assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
    assertTcpAllowed(cli, srv.ipv6(), Net.HTTP);
    assertTcpDropped(cli, srv.ipv4(), Net.ALT);
    JsonNode policies = agent.json("policy", "get", "-o", "json");
    assertThat(policies.path("items")).hasSize(1);
    String table = agent.cli("policy", "get").assertOk().stdout();
    assertThat(table).contains("early").contains(String.valueOf(srv.endpointId()));
  }

  @Test
  void peersSelectedByNamespaceLabelsFollowTheNamespacesLabels() {
    Pod srv = Net.serverPod(agent, "nsl-srv/srv", "app=srv");
    Pod blue = agent.podRun("nsl-blue/cli", "app=any");
    Pod red = agent.podRun("nsl-red/cli", "app=any");
    String namespaces =
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: nsl-blue
          labels:
            team: blue
        ---
        apiVersion: v1
        kind: Namespace
        metadata:
          name: nsl-red
          labels:
            team: red
        """;
    agent.apply(namespaces);
    try {
      agent.apply(
          cnp(
              "team-blue",
              "nsl-srv",
              """
              endpointSelector: {matchLabels: {app: srv}}
              ingress:
              - fromEndpoints:
                - matchLabels:
                    k8s:io.cilium.k8s.namespace.labels.team: blue
              """));
      assertTcpAllowed(blue, srv.ipv4(), Net.HTTP);
      assertTcpDropped(red, srv.ipv4(), Net.HTTP);
      // red joins team blue: its pods are admitted from the next connection on
      agent.apply(namespaces.replace("team: red", "team: blue"));
      assertTcpAllowed(red, srv.ipv4(), Net.HTTP);
      assertTcpAllowed(red, srv.ipv6(), Net.HTTP);
      agent.apply(namespaces);
      assertTcpDropped(red, srv.ipv4(), Net.HTTP);
    } finally {
      agent.delete(namespaces);
    }
  }

  @Test
  void egressToTheHostNeedsTheHostEntity() {
    Pod cli = agent.podRun("sem/hcli", "app=cli");
    String hostIp = hostAddress();
    int port = 20000 + (int) (System.nanoTime() % 10000);
    try (Proc host =
        Proc.start(
            List.of(
                "socat", "TCP4-LISTEN:" + port + ",fork,reuseaddr", "SYSTEM:echo ok-" + port))) {
      host.closeStdin();
      awaitHostListening(port);
      assertTcpAllowed(cli, hostIp, port);
      agent.apply(
          cnp(
              "pods-only",
              "sem",
              """
              endpointSelector: {matchLabels: {app: cli}}
              egress:
              - toEndpoints: [{matchLabels: {app: srv}}]
              """));
      assertTcpDropped(cli, hostIp, port);
      agent.apply(
          cnp(
              "and-host",
              "sem",
              """
              endpointSelector: {matchLabels: {app: cli}}
              egress:
              - toEntities: [host]
              """));
      assertTcpAllowed(cli, hostIp, port);
    }
  }

  @Test
  void withoutDefaultDenyARuleAddsNothingButItsDenies() {
    Pod srv = Net.serverPod(agent, "sem/ddsrv", "app=srv");
    Pod other = agent.podRun("sem/ddother", "app=other");
    agent.apply(
        cnp(
            "no-default-deny",
            "sem",
            """
            endpointSelector: {matchLabels: {app: srv}}
            enableDefaultDeny:
              ingress: false
            ingress:
            - fromEndpoints: [{matchLabels: {app: cli}}]
              toPorts:
              - ports:
                - {port: "80", protocol: TCP}
            ingressDeny:
            - fromEndpoints: [{matchLabels: {app: other}}]
              toPorts:
              - ports:
                - {port: "8080", protocol: TCP}
            """));
    assertTcpAllowed(other, srv.ipv4(), Net.HTTP);
    assertTcpDropped(other, srv.ipv4(), Net.ALT);
    assertUdpAllowed(other, srv.ipv4(), Net.DNS);
    JsonNode eps = agent.json("endpoint", "get", String.valueOf(srv.endpointId()), "-o", "json");
    assertThat(eps.path("ingressEnforcement").asText()).isEqualTo("disabled");
  }

  /** A global address of the host, as the ipcache knows it (identity 1, not loopback). */
  private static String hostAddress() {
    for (JsonNode e : agent.json("bpf", "ipcache", "list", "-o", "json")) {
      String prefix = e.path("prefix").asText();
      if (e.path("identity").asInt() == 1 && prefix.endsWith("/32") && !prefix.startsWith("127.")) {
        return prefix.substring(0, prefix.length() - 3);
      }
    }
    throw new AssertionError("no IPv4 host address in the ipcache");
  }

  private static void awaitHostListening(int port) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      if (Host.run("ss", "-Hltn", "sport = :" + port).contains(":" + port)) {
        return;
      }
    }
    throw new AssertionError("host socat did not listen on " + port);
  }

  @Test
  void icmpRulesAllowEchoRequestsOnly() {
    Pod srv = Net.serverPod(agent, "sem/isrv", "app=srv");
    Pod cli = agent.podRun("sem/icli", "app=cli");
    Pod other = agent.podRun("sem/iother", "app=other");
    agent.apply(
        cnp(
            "ping-only",
            "sem",
            """
            endpointSelector: {matchLabels: {app: srv}}
            ingress:
            - fromEndpoints: [{matchLabels: {app: cli}}]
              icmps:
              - fields:
                - {type: 8, family: IPv4}
                - {type: EchoRequest, family: IPv6}
            """));
    for (int f : new int[] {4, 6}) {
      Net.assertPingAllowed(cli, srv.ip(f));
      Net.assertPingDropped(other, srv.ip(f));
      assertTcpDropped(cli, srv.ip(f), Net.HTTP);
      assertUdpDropped(cli, srv.ip(f), Net.DNS);
    }
  }

  @Test
  void anEstablishedConnectionSurvivesAPolicyThatWouldDenyIt() {
    Pod srv = Net.serverPod(agent, "sem/csrv", "app=srv");
    Pod cli = agent.podRun("sem/ccli", "app=cli");
    try (Net.Connection c = Net.Connection.open(cli, srv.ipv4(), Net.ECHO)) {
      c.assertFlows();
      String lockdown =
          cnp(
              "lockdown",
              "sem",
              """
              endpointSelector: {matchLabels: {app: srv}}
              ingress:
              - fromEndpoints: [{matchLabels: {app: nobody}}]
              """);
      agent.apply(lockdown);
      // conntrack keeps what was allowed when it started (as Cilium does) ...
      c.assertFlows();
      // ... and new connections meet the new policy
      assertTcpDropped(cli, srv.ipv4(), Net.ECHO);
      assertTcpDropped(cli, srv.ipv4(), Net.HTTP);
      agent.delete(lockdown);
      c.assertFlows();
      assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
    }
  }
}
