package io.jilium.it;

import static io.jilium.it.Net.assertTcpAllowed;
import static io.jilium.it.Net.assertTcpDropped;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The datapath keeps enforcing while the agent is dead (kill -9), and a restarted agent takes over
 * the same pods, identities, addresses and policy without disturbing established connections.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class AgentRestartKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  private static final String POLICY =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: srv-from-cli
        namespace: rst
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
      """;

  @Test
  void killNineAndRestartDisturbsNothing() {
    Pod srv = Net.serverPod(agent, "rst/srv", "app=srv");
    Pod cli = agent.podRun("rst/cli", "app=cli");
    Pod intruder = agent.podRun("rst/intruder", "app=intruder");
    agent.apply(POLICY);
    assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
    assertTcpDropped(intruder, srv.ipv4(), Net.HTTP);

    Snapshot before = snapshot();
    try (Net.Connection v4 = Net.Connection.open(cli, srv.ipv4(), Net.ECHO);
        Net.Connection v6 = Net.Connection.open(cli, srv.ipv6(), Net.ECHO)) {
      v4.assertFlows();
      v6.assertFlows();

      agent.kill9();
      // the agent is gone: the CLI says so ...
      CliResult down = agent.cli("pod", "list");
      assertThat(down.exitCode()).as("%s", down).isNotZero();
      assertThat(down.stderr()).contains("cannot reach the Jilium agent").contains("Start it with");
      // ... but the datapath keeps going
      v4.assertFlows();
      v6.assertFlows();
      assertTcpDropped(intruder, srv.ipv4(), Net.HTTP);
      assertTcpDropped(intruder, srv.ipv6(), Net.HTTP);
      assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
      assertTcpAllowed(cli, srv.ipv6(), Net.HTTP);
      assertTcpDropped(cli, srv.ipv4(), Net.ALT);
      for (long pid : srv.pids()) {
        assertThat(Host.processAlive(pid)).as("pod process %d survives the agent", pid).isTrue();
      }

      agent.restart();
      v4.assertFlows();
      v6.assertFlows();

      Snapshot after = snapshot();
      assertThat(after.pods)
          .as("pods (ids, identities, addresses, netns, veths) after restart")
          .isEqualTo(before.pods);
      assertThat(after.identities).as("identities after restart").isEqualTo(before.identities);
      assertThat(after.ipcache).as("ipcache after restart").isEqualTo(before.ipcache);
      assertThat(after.policyMaps).as("policy maps after restart").isEqualTo(before.policyMaps);
      assertThat(after.endpoints).as("endpoints after restart").isEqualTo(before.endpoints);
      // restoring re-adds the saved policies, which moves the revision on (never back)
      assertThat(after.policyRevision)
          .as("policy revision after restart")
          .isGreaterThanOrEqualTo(before.policyRevision);

      // policy is still enforced, for new connections too
      assertTcpDropped(intruder, srv.ipv4(), Net.HTTP);
      assertTcpDropped(intruder, srv.ipv6(), Net.HTTP);
      assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
      assertTcpDropped(cli, srv.ipv6(), Net.ALT);
      v4.assertFlows();
      v6.assertFlows();
    }

    // and the restarted agent manages what it took over: changes, new pods, deletions
    agent.cli("pod", "label", "rst/intruder", "app=cli", "--overwrite").assertOk();
    assertTcpAllowed(intruder, srv.ipv4(), Net.HTTP);
    Pod fresh = agent.podRun("rst/fresh", "app=cli");
    List<String> taken =
        new ArrayList<>(
            List.of(
                srv.ipv4(), cli.ipv4(), intruder.ipv4(), srv.ipv6(), cli.ipv6(), intruder.ipv6()));
    assertThat(taken)
        .as("a new pod gets fresh addresses")
        .doesNotContain(fresh.ipv4(), fresh.ipv6());
    assertThat(fresh.endpointId())
        .isNotIn(srv.endpointId(), cli.endpointId(), intruder.endpointId());
    assertThat(fresh.identity()).as("same labels as cli: same identity").isEqualTo(cli.identity());
    assertTcpAllowed(fresh, srv.ipv6(), Net.HTTP);
    agent.cli("pod", "delete", "rst/cli").assertOk();
    assertThat(Path.of(cli.netns())).doesNotExist();
    assertThat(Host.linkExists(cli.interfaceName())).isFalse();
  }

  @Test
  void aGracefulStopAlsoLeavesTheDatapathEnforcing() {
    Pod srv = Net.serverPod(agent, "rst/srv2", "app=srv");
    Pod cli = agent.podRun("rst/cli2", "app=cli");
    Pod intruder = agent.podRun("rst/intruder2", "app=intruder");
    agent.apply(POLICY);
    Snapshot before = snapshot();
    try (Net.Connection c = Net.Connection.open(cli, srv.ipv4(), Net.ECHO)) {
      agent.stop();
      c.assertFlows();
      assertTcpDropped(intruder, srv.ipv4(), Net.HTTP);
      assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
      agent.restart();
      c.assertFlows();
    }
    Snapshot after = snapshot();
    assertThat(after.pods).isEqualTo(before.pods);
    assertThat(after.ipcache).isEqualTo(before.ipcache);
    assertThat(after.policyMaps).isEqualTo(before.policyMaps);
  }

  @Test
  void aPodRemovedWhileTheAgentIsDownIsCleanedUpOnRestart() {
    Pod keep = Net.serverPod(agent, "rst/keep", "app=keep");
    Pod gone = agent.podRun("rst/gone", "app=gone");
    Pod peer = agent.podRun("rst/peer", "app=keep");
    Path pin = agent.pinDir().resolve("jl_pol_" + gone.endpointId());
    assertThat(pin).as("the pod's pinned policy map").exists();

    agent.kill9();
    // someone removes the pod's namespace behind the agent's back (no process holds it)
    Host.run("ip", "netns", "delete", Path.of(gone.netns()).getFileName().toString());
    agent.restart();

    assertThat(agent.pods()).extracting(Pod::ref).containsExactlyInAnyOrder("rst/keep", "rst/peer");
    assertThat(pin).as("pinned policy map of the vanished endpoint").doesNotExist();
    List<String> prefixes = new ArrayList<>();
    agent
        .json("bpf", "ipcache", "list", "-o", "json")
        .forEach(e -> prefixes.add(e.path("prefix").asText()));
    assertThat(prefixes)
        .doesNotContain(gone.ipv4() + "/32", gone.ipv6() + "/128")
        .contains(keep.ipv4() + "/32");
    assertThat(agent.identities())
        .as("the vanished pod's identity is released")
        .doesNotContainKey(gone.identity());
    assertThat(agent.status().path("endpoints").asInt()).isEqualTo(2);
    assertTcpAllowed(peer, keep.ipv4(), Net.HTTP);
    // its name and addresses can be used again
    Pod again = agent.podRun("rst/gone", "app=gone");
    assertTcpAllowed(again, keep.ipv6(), Net.HTTP);
  }

  @Test
  void aPodWhoseVethWasRemovedWhileTheAgentWasDownIsNotLeftHalfAlive() {
    Pod keep = Net.serverPod(agent, "rst/vkeep", "app=keep");
    Pod cut = Net.serverPod(agent, "rst/vcut", "app=cut");
    assertThat(cut.pids()).isNotEmpty();

    agent.kill9();
    // the host side of the pod's veth goes away (the pair with it); namespace and process stay
    Host.run("ip", "link", "delete", cut.interfaceName());
    agent.restart();

    var listed = agent.pod("rst/vcut");
    if (listed.isPresent()) {
      // taken over and wired again: then it must work
      assertTcpAllowed(keep, listed.get().ipv4(), Net.HTTP);
    } else {
      // forgotten: then nothing of it may be left running
      org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
      soft.assertThat(Path.of(cut.netns())).as("netns of the pod the agent forgot").doesNotExist();
      for (long pid : cut.pids()) {
        soft.assertThat(Host.processAlive(pid))
            .as("process %d (%s) of the pod the agent forgot", pid, Host.cmdline(pid))
            .isFalse();
      }
      soft.assertAll();
    }
    assertTcpAllowed(Net.Origin.HOST, keep.ipv4(), Net.HTTP);
    // the name can be used again, and the new pod works
    if (listed.isEmpty()) {
      Pod again = Net.serverPod(agent, "rst/vcut", "app=cut");
      assertTcpAllowed(keep, again.ipv4(), Net.HTTP);
    }
  }

  @Test
  void cleanupRefusesWhileTheAgentRunsAndRemovesEverythingAfterKillNine() {
    Pod srv = Net.serverPod(agent, "rst/csrv", "app=srv");
    Pod cli = agent.podRun("rst/ccli", "app=cli", "sleep", "600");
    agent.apply(POLICY);

    CliResult refused = cleanup();
    assertThat(refused.exitCode()).as("%s", refused).isNotZero();
    assertThat(refused.stdout() + refused.stderr()).contains("stop it before cleaning up");
    assertThat(agent.pods()).hasSize(2);
    assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);

    agent.kill9();
    CliResult cleaned = cleanup();
    assertThat(cleaned.exitCode()).as("%s", cleaned).isZero();
    assertThat(agent.leftovers()).as("after kill -9 and --cleanup").isEmpty();
    // a fresh agent on the same flags starts from nothing
    agent.restart();
    assertThat(agent.pods()).isEmpty();
    assertThat(agent.status().path("policies").asInt()).isZero();
  }

  private CliResult cleanup() {
    List<String> argv = new ArrayList<>(agent.flags());
    argv.add("--cleanup");
    List<String> cmd = Jilium.agent(argv);
    try (Proc p = Proc.start(cmd)) {
      p.closeStdin();
      int rc = p.waitForOrFail(java.time.Duration.ofSeconds(60));
      return new CliResult(cmd, rc, p.stdout(), p.stderr());
    }
  }

  /** Everything that must survive a restart, without counters and timestamps. */
  record Snapshot(
      List<Pod> pods,
      JsonNode identities,
      JsonNode ipcache,
      List<JsonNode> policyMaps,
      JsonNode endpoints,
      long policyRevision) {}

  private Snapshot snapshot() {
    List<Pod> pods = agent.pods().stream().map(Pod::withoutPids).toList();
    List<JsonNode> maps = new ArrayList<>();
    for (Pod p : pods) {
      JsonNode m = agent.json("bpf", "policy", "get", String.valueOf(p.endpointId()), "-o", "json");
      for (JsonNode e : m.path("entries")) {
        ((ObjectNode) e).remove(List.of("packets", "bytes"));
      }
      maps.add(m);
    }
    JsonNode eps = agent.json("endpoint", "list", "-o", "json");
    for (JsonNode e : eps) {
      // follows the policy revision, checked on its own
      ((ObjectNode) e).remove("policyRevision");
    }
    JsonNode ids = agent.json("identity", "list", "-o", "json");
    // the host's own addresses (identity 1) follow the machine, where other tests add and remove
    // addresses meanwhile; everything else must come back exactly
    com.fasterxml.jackson.databind.node.ArrayNode ipcache =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
    for (JsonNode e : agent.json("bpf", "ipcache", "list", "-o", "json")) {
      if (e.path("identity").asInt() != 1) {
        ipcache.add(e);
      }
    }
    return new Snapshot(
        pods,
        ids,
        ipcache,
        maps,
        eps,
        agent.json("policy", "get", "-o", "json").path("revision").asLong());
  }
}
