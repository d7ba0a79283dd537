package io.jilium.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input through the CLI: each mistake is refused with a message that says where and what was
 * expected, nothing is half-applied, and the agent keeps working afterwards.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BadInputKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  private static final String GOOD =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: good
        namespace: bad
      spec:
        endpointSelector:
          matchLabels:
            app: srv
        ingress:
        - fromEndpoints:
          - matchLabels:
              app: cli
      """;

  private static final String PORT_99999 =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: too-far
        namespace: bad
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
            - port: "99999"
              protocol: TCP
      """;

  @Test
  void malformedYamlIsRefusedWithItsPosition() {
    Path f =
        agent.writeManifest(
            """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata:
              name: broken
              namespace: bad
            spec:
              endpointSelector: {matchLabels: {app: a}
              ingress: [
            """);
    CliResult r = agent.applyFile(f).assertFails();
    assertThat(r.stderr())
        .contains(f.toString())
        .contains("document 1")
        .contains("malformed YAML")
        .contains("line");
    assertNoPolicies();
  }

  @Test
  void anUnknownFieldIsNamedByItsPath() {
    Path f =
        agent.writeManifest(
            """
            apiVersion: cilium.io/v2
            kind: CiliumNetworkPolicy
            metadata:
              name: typo
              namespace: bad
            spec:
              endpointSelector:
                matchLabels:
                  app: srv
              ingress:
              - fromEndpoints:
                - matchLabels:
                    app: cli
                toPortz:
                - ports:
                  - port: "80"
            """);
    CliResult r = agent.applyFile(f).assertFails();
    assertThat(r.stderr())
        .contains(f.toString())
        .contains("document 1")
        .contains("spec.ingress[0].toPortz: unknown field")
        .contains("toPorts");
    assertNoPolicies();
  }

  @Test
  void anOutOfRangePortNamesFileDocumentFieldAndExpectation() {
    Path f = agent.writeManifest(PORT_99999);
    CliResult r = agent.applyFile(f).assertFails();
    assertThat(r.stderr())
        .contains(f.toString())
        .contains("document 1")
        .contains(
            "spec.ingress[0].toPorts[0].ports[0].port: \"99999\" (expected: 0-65535 or a port name)");
    assertNoPolicies();
  }

  @Test
  void oneBadDocumentMeansNothingIsApplied() {
    Path f = agent.writeManifest(GOOD + "---\n" + PORT_99999);
    CliResult r = agent.applyFile(f).assertFails();
    assertThat(r.stderr())
        .contains(f.toString())
        .contains("document 2")
        .contains(
            "spec.ingress[0].toPorts[0].ports[0].port: \"99999\" (expected: 0-65535 or a port name)");
    assertThat(r.stdout()).doesNotContain("created");
    assertNoPolicies();

    // the same with the bad document first, and with two files of which one is bad
    Path reversed = agent.writeManifest(PORT_99999 + "---\n" + GOOD);
    assertThat(agent.applyFile(reversed).assertFails().stderr()).contains("document 1");
    assertNoPolicies();
    Path good = agent.writeManifest(GOOD);
    Path bad = agent.writeManifest(PORT_99999);
    CliResult two = agent.cli("apply", "-f", good.toString(), "-f", bad.toString()).assertFails();
    assertThat(two.stderr()).contains(bad.toString());
    assertNoPolicies();

    // the good document on its own is fine
    assertThat(agent.applyFile(good).assertOk().stdout())
        .contains("ciliumnetworkpolicy.cilium.io/good created");
    assertThat(policyNames()).containsExactly("good");
  }

  @Test
  void aBadChangeToAnAppliedPolicyKeepsTheOldOneInForce() {
    Pod srv = Net.serverPod(agent, "bad/srv", "app=srv");
    Pod cli = agent.podRun("bad/cli", "app=cli");
    Pod other = agent.podRun("bad/other", "app=other");
    agent.apply(GOOD);
    Net.assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
    Net.assertTcpDropped(other, srv.ipv4(), Net.HTTP);
    // same name, now broken: refused, and the datapath still enforces the good version
    agent.applyFile(agent.writeManifest(PORT_99999.replace("too-far", "good"))).assertFails();
    assertThat(policyNames()).containsExactly("good");
    Net.assertTcpAllowed(cli, srv.ipv4(), Net.ALT);
    Net.assertTcpDropped(other, srv.ipv4(), Net.HTTP);
  }

  @Test
  void missingFilesAndEmptyInputAreRefused() throws Exception {
    CliResult missing =
        agent.cli("apply", "-f", agent.dir().resolve("nope.yaml").toString()).assertFails();
    assertThat(missing.stderr()).contains("nope.yaml: no such file or directory");
    Path empty = Files.createTempFile(agent.dir(), "empty-", ".yaml");
    CliResult none = agent.applyFile(empty).assertFails();
    assertThat(none.stderr()).contains("no resources found");
    CliResult unknownKind =
        agent
            .applyFile(agent.writeManifest("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"))
            .assertFails();
    assertThat(unknownKind.stderr()).contains("Secret");
    // Latin-1 bytes (0xe9) where UTF-8 is expected: named, not read as garbage
    Path latin1 = agent.dir().resolve("latin1.yaml");
    Files.write(
        latin1,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: caf\u00e9\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    CliResult notUtf8 = agent.applyFile(latin1).assertFails();
    assertThat(notUtf8.stderr()).contains(latin1.toString()).contains("not UTF-8 text");
    assertNoPolicies();
  }

  @Test
  void deletingWhatIsNotThereFailsAndChangesNothing() {
    agent.apply(GOOD);
    Path absent = agent.writeManifest(GOOD.replace("name: good", "name: never-applied"));
    CliResult r = agent.cli("delete", "-f", absent.toString()).assertFails();
    assertThat(r.stderr()).contains("never-applied").contains("not found");
    // all or nothing: with one absent resource, the present one stays too
    Path both =
        agent.writeManifest(GOOD + "---\n" + GOOD.replace("name: good", "name: never-applied"));
    agent.cli("delete", "-f", both.toString()).assertFails();
    assertThat(policyNames()).containsExactly("good");
    CliResult byName = agent.cli("policy", "delete", "bad/never-applied").assertFails();
    assertThat(byName.stderr()).contains("not found");
    assertThat(policyNames()).containsExactly("good");
  }

  @Test
  void aCliWithoutAnAgentSaysHowToStartOne() {
    Path nowhere = agent.dir().resolve("no-agent-here.sock");
    for (String[] cmd :
        List.of(
            new String[] {"status"},
            new String[] {"pod", "list"},
            new String[] {"apply", "-f", agent.writeManifest(GOOD).toString()})) {
      CliResult r = AgentFixture.cliAt(nowhere, cmd).assertFails();
      assertThat(r.stderr())
          .as("%s", r)
          .contains("cannot reach the Jilium agent at " + nowhere)
          .contains("Is it running?")
          .contains("jilium agent")
          .contains("--socket " + nowhere);
      assertThat(r.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    }
  }

  @Test
  void theAgentStillWorksAfterAllThat() {
    // a burst of bad requests first
    agent.applyFile(agent.writeManifest(PORT_99999)).assertFails();
    agent.applyFile(agent.writeManifest("::: not yaml :::\n  - [")).assertFails();
    agent.cli("pod", "run", "bad/x", "--labels", "a=b@d").assertFails();
    agent.cli("pod", "delete", "bad/none").assertFails();
    agent.cli("identity", "get", "99999").assertFails();
    agent.cli("endpoint", "get", "0").assertFails();
    agent.cli("pod", "list", "-o", "xml").assertFails();

    JsonNode status = agent.status();
    assertThat(status.path("healthy").asBoolean()).isTrue();
    Pod srv = Net.serverPod(agent, "bad/srv3", "app=srv");
    Pod cli = agent.podRun("bad/cli3", "app=cli");
    Pod other = agent.podRun("bad/other3", "app=other");
    agent.apply(GOOD);
    Net.assertTcpAllowed(cli, srv.ipv4(), Net.HTTP);
    Net.assertTcpDropped(other, srv.ipv4(), Net.HTTP);
    assertThat(agent.log()).doesNotContain("level=ERROR");
  }

  @Test
  void unsupportedPolicyFieldsAreRefusedNotIgnored() {
    String l7 =
        PORT_99999.replace("\"99999\"", "\"80\"")
            + "      rules:\n        http:\n        - method: GET\n";
    CliResult r7 = agent.applyFile(agent.writeManifest(l7)).assertFails();
    assertThat(r7.stderr())
        .contains("spec.ingress[0].toPorts[0].rules")
        .contains("not supported yet");
    assertNoPolicies();
  }

  @Test
  void aSecondAgentOnTheSameStateDirIsRefusedAndTheFirstKeepsWorking() {
    Pod p = agent.podRun("bad/first", "app=first");
    AgentRun second = AgentRun.start(agent.flags());
    assertThat(second.exitCode()).as("second agent:\n%s", second.output()).isNotZero();
    assertThat(second.output())
        .contains("another agent is running with --state-dir " + agent.stateDir());
    assertThat(agent.status().path("healthy").asBoolean()).isTrue();
    assertThat(agent.pods()).containsExactly(p);
    assertThat(agent.socket()).exists();
  }

  @Test
  void invalidAgentFlagsAreRefusedWithTheFlagAndTheExpectation() {
    String v4 = agent.cidrV4();
    String v4HostBits = agent.cidrV4Prefix() + "7/24";
    Path scratch = agent.dir().resolve("scratch");
    List<String> base =
        List.of(
            "--state-dir", scratch.resolve("state").toString(),
            "--socket", scratch.resolve("s.sock").toString(),
            "--bpf-root", AgentFixture.BPF_ROOT.toString());
    record Case(List<String> flags, String message) {}
    List<Case> cases =
        List.of(
            new Case(
                List.of("--node-name", "Bad_Name", "--pod-cidr-v4", v4, "--pod-cidr-v6", "none"),
                "--node-name \"Bad_Name\""),
            new Case(
                List.of(
                    "--node-name",
                    agent.node() + "-x",
                    "--pod-cidr-v4",
                    v4HostBits,
                    "--pod-cidr-v6",
                    "none"),
                "has host bits set"),
            new Case(
                List.of(
                    "--node-name",
                    agent.node() + "-x",
                    "--pod-cidr-v4",
                    "fd00:10:230::/120",
                    "--pod-cidr-v6",
                    "none"),
                "expected: an IPv4 prefix"),
            new Case(
                List.of(
                    "--node-name",
                    agent.node() + "-x",
                    "--pod-cidr-v4",
                    "none",
                    "--pod-cidr-v6",
                    "none"),
                "at least one of --pod-cidr-v4 and --pod-cidr-v6"),
            new Case(
                List.of(
                    "--node-name",
                    agent.node() + "-x",
                    "--pod-cidr-v4",
                    v4,
                    "--pod-cidr-v6",
                    "none",
                    "--mtu",
                    "9"),
                "--mtu 9 (expected: 1280-65535)"));
    SoftAssertions soft = new SoftAssertions();
    for (Case c : cases) {
      List<String> flags = new ArrayList<>(base);
      flags.addAll(c.flags());
      AgentRun run = AgentRun.start(flags);
      soft.assertThat(run.exitCode())
          .withFailMessage(
              "agent %s was accepted; expected a refusal saying \"%s\". It said: %s",
              c.flags(), c.message(), run.output())
          .isNotZero();
      soft.assertThat(run.output())
          .withFailMessage("agent %s: expected \"%s\" in: %s", c.flags(), c.message(), run.output())
          .contains(c.message());
    }
    soft.assertAll();
    assertThat(agent.status().path("healthy").asBoolean()).isTrue();
  }

  /** An agent started to be refused; if it starts anyway, it is stopped and cleaned up. */
  record AgentRun(int exitCode, String output) {
    static AgentRun start(List<String> flags) {
      try (Proc p = Proc.start(Jilium.agent(flags))) {
        p.closeStdin();
        var started =
            p.awaitLine(l -> l.contains("msg=\"agent started\""), Duration.ofSeconds(60), true);
        if (started.isPresent()) {
          p.stop(Duration.ofSeconds(20));
          List<String> cleanup = new ArrayList<>(flags);
          cleanup.add("--cleanup");
          try (Proc c = Proc.start(Jilium.agent(cleanup))) {
            c.waitForOrFail(Duration.ofSeconds(60));
          }
          return new AgentRun(0, p.stdout() + p.stderr());
        }
        int rc = p.waitForOrFail(Duration.ofSeconds(30));
        return new AgentRun(rc, p.stdout() + p.stderr());
      }
    }
  }

  private List<String> policyNames() {
    List<String> names = new ArrayList<>();
    for (JsonNode p : agent.json("policy", "get", "-o", "json").path("items")) {
      names.add(p.path("metadata").path("name").asText());
    }
    return names;
  }

  private void assertNoPolicies() {
    assertThat(policyNames()).as("nothing applied").isEmpty();
    assertThat(agent.status().path("policies").asInt()).isZero();
  }
}
