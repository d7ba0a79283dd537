package io.jilium.it;

import static io.jilium.it.Net.assertPingAllowed;
import static io.jilium.it.Net.assertPingDropped;
import static io.jilium.it.Net.assertTcpAllowed;
import static io.jilium.it.Net.assertTcpDropped;
import static io.jilium.it.Net.assertUdpAllowed;
import static io.jilium.it.Net.assertUdpDropped;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * CiliumNetworkPolicy enforced by the datapath, checked with real traffic: ingress and egress, TCP,
 * UDP and ICMP, IPv4 and IPv6, conntrack for replies and related ICMP errors, and changes (apply,
 * delete, relabel) that take effect for the very next connection, with no waiting.
 *
 * <p>Every test has a server pod (app=srv, {@link Net#serverCommand()}), a client (app=cli) and
 * another pod (app=other, also serving) in namespace pol.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PolicyKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  private static final int[] FAMILIES = {4, 6};

  private Pod srv;
  private Pod cli;
  private Pod other;

  private void pods() {
    srv = Net.serverPod(agent, "pol/srv", "app=srv");
    other = Net.serverPod(agent, "pol/other", "app=other");
    cli = agent.podRun("pol/cli", "app=cli");
  }

  /** Ingress to app=srv: only from app=cli, only to the given ports. */
  static String srvIngress(String name, String fromApp, String... portProtos) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: %s
          namespace: pol
        spec:
          endpointSelector:
            matchLabels:
              app: srv
          ingress:
          - fromEndpoints:
            - matchLabels:
                app: %s
            toPorts:
            - ports:
        %s"""
        .formatted(name, fromApp, ports(portProtos, "      "));
  }

  /** Egress from app=cli: only to app=srv, only to the given ports. */
  static String cliEgress(String name, String... portProtos) {
    return """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: %s
          namespace: pol
        spec:
          endpointSelector:
            matchLabels:
              app: cli
          egress:
          - toEndpoints:
            - matchLabels:
                app: srv
            toPorts:
            - ports:
        %s"""
        .formatted(name, ports(portProtos, "      "));
  }

  /** "80/TCP" ... -> YAML port entries at the given indentation. */
  static String ports(String[] portProtos, String indent) {
    StringBuilder sb = new StringBuilder();
    for (String pp : portProtos) {
      String[] s = pp.split("/");
      sb.append(indent).append("- port: \"").append(s[0]).append("\"\n");
      sb.append(indent).append("  protocol: ").append(s[1]).append('\n');
    }
    return sb.toString();
  }

  @Test
  void ingressAllowsOnlyTheSelectedSourceAndPortAndDeleteRestoresDefaultAllow() {
    pods();
    String policy = srvIngress("srv-ingress", "cli", "80/TCP", "53/UDP");
    assertThat(agent.apply(policy).stdout())
        .contains("ciliumnetworkpolicy.cilium.io/srv-ingress created");
    for (int f : FAMILIES) {
      String ip = srv.ip(f);
      assertTcpAllowed(cli, ip, Net.HTTP);
      assertTcpDropped(cli, ip, Net.ALT);
      assertTcpDropped(other, ip, Net.HTTP);
      assertUdpAllowed(cli, ip, Net.DNS);
      assertUdpDropped(cli, ip, Net.ALT_UDP);
      assertUdpDropped(other, ip, Net.DNS);
      assertPingDropped(cli, ip);
      // the host may always reach its pods (--allow-localhost always, Cilium's default)
      assertTcpAllowed(Net.Origin.HOST, ip, Net.ALT);
      // the policy selects srv only: other still takes anything
      assertTcpAllowed(cli, other.ip(f), Net.ALT);
    }

    assertThat(agent.delete(policy).stdout())
        .contains("ciliumnetworkpolicy.cilium.io/srv-ingress deleted");
    assertThat(agent.json("policy", "get", "-o", "json").path("items")).isEmpty();
    for (int f : FAMILIES) {
      String ip = srv.ip(f);
      assertTcpAllowed(other, ip, Net.HTTP);
      assertTcpAllowed(cli, ip, Net.ALT);
      assertUdpAllowed(cli, ip, Net.ALT_UDP);
      assertUdpAllowed(other, ip, Net.DNS);
      assertPingAllowed(cli, ip);
    }
  }

  @Test
  void egressPolicyOnTheClient() {
    pods();
    agent.apply(cliEgress("cli-egress", "80/TCP", "53/UDP"));
    for (int f : FAMILIES) {
      String ip = srv.ip(f);
      assertTcpAllowed(cli, ip, Net.HTTP);
      assertTcpDropped(cli, ip, Net.ALT);
      assertUdpAllowed(cli, ip, Net.DNS);
      assertUdpDropped(cli, ip, Net.ALT_UDP);
      assertTcpDropped(cli, other.ip(f), Net.HTTP);
      assertPingDropped(cli, ip);
      // only the client is restricted
      assertTcpAllowed(other, ip, Net.ALT);
      assertPingAllowed(other, ip);
    }
    JsonNode eps = agent.json("endpoint", "list", "-o", "json");
    for (JsonNode e : eps) {
      if (e.path("id").asInt() == cli.endpointId()) {
        assertThat(e.path("egressEnforcement").asText()).isEqualTo("enabled");
        assertThat(e.path("ingressEnforcement").asText()).isEqualTo("disabled");
      }
    }
  }

  @Test
  void repliesOfAllowedConnectionsPassUnderIngressAndEgressDefaultDeny() {
    pods();
    // srv: ingress only from cli on 80 and 7000; egress enforced, allowing nothing real
    // cli: egress only to srv on 80 and 7000; ingress enforced, allowing nothing real
    String policies =
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: srv-lockdown
          namespace: pol
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
              - port: "7000"
                protocol: TCP
          egress:
          - toEndpoints:
            - matchLabels:
                app: nothing
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: cli-lockdown
          namespace: pol
        spec:
          endpointSelector:
            matchLabels:
              app: cli
          ingress:
          - fromEndpoints:
            - matchLabels:
                app: nothing
          egress:
          - toEndpoints:
            - matchLabels:
                app: srv
            toPorts:
            - ports:
              - port: "80"
                protocol: TCP
              - port: "7000"
                protocol: TCP
        """;
    agent.apply(policies);
    for (JsonNode e : agent.json("endpoint", "list", "-o", "json")) {
      int id = e.path("id").asInt();
      if (id == srv.endpointId() || id == cli.endpointId()) {
        assertThat(e.path("ingressEnforcement").asText())
            .as("endpoint %d ingress", id)
            .isEqualTo("enabled");
        assertThat(e.path("egressEnforcement").asText())
            .as("endpoint %d egress", id)
            .isEqualTo("enabled");
      }
    }
    for (int f : FAMILIES) {
      assertTcpAllowed(cli, srv.ip(f), Net.HTTP);
      try (Net.Connection c = Net.Connection.open(cli, srv.ip(f), Net.ECHO)) {
        for (int i = 0; i < 3; i++) {
          c.assertFlows();
        }
      }
      // new connections the other way are still denied, on both sides
      assertTcpDropped(srv, other.ip(f), Net.HTTP);
      assertTcpDropped(other, cli.ip(f), Net.HTTP);
      assertPingDropped(srv, cli.ip(f));
    }
  }

  @Test
  void aPolicyChangeAppliesToTheNextConnection() {
    pods();
    for (int round = 0; round < 2; round++) {
      agent.apply(srvIngress("flip", "cli", "80/TCP"));
      for (int f : FAMILIES) {
        assertTcpAllowed(cli, srv.ip(f), Net.HTTP);
        assertTcpDropped(cli, srv.ip(f), Net.ALT);
      }
      CliResult changed = agent.apply(srvIngress("flip", "cli", "8080/TCP"));
      assertThat(changed.stdout()).contains("ciliumnetworkpolicy.cilium.io/flip configured");
      for (int f : FAMILIES) {
        assertTcpDropped(cli, srv.ip(f), Net.HTTP);
        assertTcpAllowed(cli, srv.ip(f), Net.ALT);
      }
    }
    CliResult same = agent.apply(srvIngress("flip", "cli", "8080/TCP"));
    assertThat(same.stdout()).contains("ciliumnetworkpolicy.cilium.io/flip unchanged");
  }

  @Test
  void aLabelChangeMakesADeniedClientAllowedAndBack() {
    pods();
    agent.apply(srvIngress("by-label", "cli", "80/TCP"));
    for (int f : FAMILIES) {
      assertTcpDropped(other, srv.ip(f), Net.HTTP);
    }
    agent.cli("pod", "label", "pol/other", "app=cli", "--overwrite").assertOk();
    for (int f : FAMILIES) {
      assertTcpAllowed(other, srv.ip(f), Net.HTTP);
    }
    agent.cli("pod", "label", "pol/other", "app=other", "--overwrite").assertOk();
    for (int f : FAMILIES) {
      assertTcpDropped(other, srv.ip(f), Net.HTTP);
    }
    // relabeling the server out of the selector lifts its default deny
    agent.cli("pod", "label", "pol/srv", "app=srv-retired", "--overwrite").assertOk();
    for (int f : FAMILIES) {
      assertTcpAllowed(other, srv.ip(f), Net.ALT);
    }
  }

  @Test
  void relatedIcmpErrorsReachAClientUnderPolicy() {
    pods();
    // nothing listens on 9999 (UDP or TCP) in srv
    agent.apply(cliEgress("cli-egress-9999", "9999/UDP", "9999/TCP", "53/UDP"));
    for (int f : FAMILIES) {
      assertUdpAllowed(cli, srv.ip(f), Net.DNS);
      Net.Probe refused = Net.udp(Net.Origin.of(cli), srv.ip(f), 9999, Net.ALLOW_WAIT);
      assertThat(refused.outcome())
          .as("ICMP port unreachable must reach the client: %s", refused)
          .isEqualTo(Net.Outcome.REFUSED);
      Net.Probe rst = Net.tcp(Net.Origin.of(cli), srv.ip(f), 9999, Net.ALLOW_WAIT);
      assertThat(rst.outcome())
          .as("TCP reset must reach the client: %s", rst)
          .isEqualTo(Net.Outcome.REFUSED);
      // not allowed: dropped on the way out, so no error comes back either
      Net.Probe dropped = Net.udp(Net.Origin.of(cli), srv.ip(f), 9998, Net.DROP_WAIT);
      assertThat(dropped.outcome()).as("%s", dropped).isEqualTo(Net.Outcome.NO_REPLY);
    }

    // the same with the client's ingress enforced too: the error is related, not new
    agent.apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: cli-ingress-nothing
          namespace: pol
        spec:
          endpointSelector:
            matchLabels:
              app: cli
          ingress:
          - fromEndpoints:
            - matchLabels:
                app: nothing
        """);
    for (int f : FAMILIES) {
      Net.Probe refused = Net.udp(Net.Origin.of(cli), srv.ip(f), 9999, Net.ALLOW_WAIT);
      assertThat(refused.outcome())
          .as("related ICMP error under ingress default deny: %s", refused)
          .isEqualTo(Net.Outcome.REFUSED);
      assertUdpAllowed(cli, srv.ip(f), Net.DNS);
    }
  }
}
