package io.jilium.it;

import static io.jilium.it.Net.assertPingAllowed;
import static io.jilium.it.Net.assertTcpAllowed;
import static io.jilium.it.Net.assertTcpDropped;
import static io.jilium.it.Net.assertUdpAllowed;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Agents run other ways: {@code --policy-enforcement always}, and IPv4 only. */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AgentModesKernelTest {
  @RegisterExtension
  static final AgentFixture always = new AgentFixture("--policy-enforcement", "always");

  @RegisterExtension static final AgentFixture v4only = AgentFixture.ipv4Only();

  @Test
  void enforcementAlwaysDeniesWhatNoPolicyAllows() {
    Pod srv = Net.serverPod(always, "mode/srv", "app=srv");
    Pod cli = always.podRun("mode/cli", "app=cli");
    assertThat(always.status().path("policyEnforcement").asText()).isEqualTo("always");
    for (int f : new int[] {4, 6}) {
      assertTcpDropped(cli, srv.ip(f), Net.HTTP);
      // the host may still reach its pods
      assertTcpAllowed(Net.Origin.HOST, srv.ip(f), Net.HTTP);
    }
    always.apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: open-80
          namespace: mode
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
        """);
    // the server admits the client on 80, but the client's own egress is still default-deny
    assertTcpDropped(cli, srv.ipv4(), Net.HTTP);
    always.apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: cli-out
          namespace: mode
        spec:
          endpointSelector:
            matchLabels:
              app: cli
          egress:
          - toEndpoints:
            - matchLabels:
                app: srv
        """);
    for (int f : new int[] {4, 6}) {
      assertTcpAllowed(cli, srv.ip(f), Net.HTTP);
      assertTcpDropped(cli, srv.ip(f), Net.ALT);
    }
  }

  @Test
  void anIpv4OnlyAgentGivesPodsIpv4AndAWorldForBothFamilies() {
    Pod srv = Net.serverPod(v4only, "v4/srv", "app=srv");
    Pod cli = v4only.podRun("v4/cli", "app=cli");
    assertThat(srv.ipv4()).startsWith(v4only.cidrV4Prefix());
    assertThat(srv.ipv6()).as("no IPv6 address").isEmpty();
    assertThat(v4only.status().path("podCidrV6").asText()).isEmpty();
    String addrs =
        Net.inNetns(cli.netns(), "ip", "-6", "addr", "show", "dev", "eth0", "scope", "global");
    assertThat(addrs).as("no global IPv6 address in the pod").isBlank();
    assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
    assertUdpAllowed(cli, srv.ipv4(), Net.DNS);
    assertPingAllowed(cli, srv.ipv4());
    Map<String, Integer> ipcache = new HashMap<>();
    for (JsonNode e : v4only.json("bpf", "ipcache", "list", "-o", "json")) {
      ipcache.put(e.path("prefix").asText(), e.path("identity").asInt());
    }
    assertThat(ipcache).containsEntry(srv.ipv4() + "/32", srv.identity());
    assertThat(ipcache.get("0.0.0.0/0")).as("world").isEqualTo(2);
  }
}
