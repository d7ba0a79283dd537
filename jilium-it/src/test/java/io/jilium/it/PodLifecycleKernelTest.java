package io.jilium.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code jilium pod run|list|exec|label|delete} against a real agent: what they create and remove.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class PodLifecycleKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  @Test
  void podRunPrintsAddressesAndListShowsEverything() throws Exception {
    CliResult run = agent.cli("pod", "run", "lc/web", "--labels", "app=web,tier=front").assertOk();
    Matcher v4 = Pattern.compile("IPv4: (\\S+)").matcher(run.stdout());
    Matcher v6 = Pattern.compile("IPv6: (\\S+)").matcher(run.stdout());
    assertThat(v4.find()).as("pod run prints the IPv4 address:\n%s", run).isTrue();
    assertThat(v6.find()).as("pod run prints the IPv6 address:\n%s", run).isTrue();
    assertThat(run.stdout()).contains("pod lc/web created");

    JsonNode list = agent.podsJson();
    assertThat(list).hasSize(1);
    JsonNode p = list.get(0);
    assertThat(p.path("namespace").asText()).isEqualTo("lc");
    assertThat(p.path("name").asText()).isEqualTo("web");
    assertThat(p.path("ipv4").asText()).isEqualTo(v4.group(1)).startsWith(agent.cidrV4Prefix());
    assertThat(p.path("ipv6").asText()).isEqualTo(v6.group(1)).startsWith(agent.cidrV6Prefix());
    assertThat(p.path("labels").properties())
        .extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder("app", "tier");
    assertThat(p.path("labels").path("app").asText()).isEqualTo("web");
    assertThat(p.path("labels").path("tier").asText()).isEqualTo("front");
    assertThat(p.path("endpointId").asInt()).isPositive();
    assertThat(p.path("identity").asInt()).isGreaterThanOrEqualTo(256);
    Path netns = Path.of(p.path("netns").asText());
    assertThat(netns).as("netns path").exists();
    assertThat(netns.getFileName().toString()).isEqualTo("jl-" + agent.node() + "-lc-web");
    Pod pod = Pod.of(p);
    agent.remember(pod);
    assertThat(Host.linkExists(pod.interfaceName()))
        .as("host veth %s", pod.interfaceName())
        .isTrue();

    // the addresses are really on the pod's eth0
    CliResult addr = agent.exec(pod, "ip", "-o", "addr", "show", "dev", "eth0").assertOk();
    assertThat(addr.stdout()).contains(pod.ipv4() + "/32").contains(pod.ipv6() + "/128");
    // and the endpoint agrees
    JsonNode ep = agent.json("endpoint", "get", String.valueOf(pod.endpointId()), "-o", "json");
    assertThat(ep.path("ipv4").asText()).isEqualTo(pod.ipv4());
    assertThat(ep.path("identity").asInt()).isEqualTo(pod.identity());
    assertThat(ep.path("interfaceName").asText()).isEqualTo(pod.interfaceName());
  }

  @Test
  void podDeleteRemovesNetnsLinkEndpointIpCacheAndProcess() {
    Pod server = Net.serverPod(agent, "lc/doomed", "app=doomed");
    Pod other = agent.podRun("lc/survivor", "app=survivor");
    assertThat(server.pids()).as("the pod's processes").isNotEmpty();
    for (long pid : server.pids()) {
      assertThat(Host.processAlive(pid)).as("pid %d before delete", pid).isTrue();
    }
    assertThat(ipCachePrefixes()).contains(server.ipv4() + "/32", server.ipv6() + "/128");

    CliResult del = agent.cli("pod", "delete", "lc/doomed").assertOk();
    assertThat(del.stdout()).contains("lc/doomed deleted");

    assertThat(Path.of(server.netns())).as("netns").doesNotExist();
    assertThat(Host.linkExists(server.interfaceName()))
        .as("host veth %s", server.interfaceName())
        .isFalse();
    for (long pid : server.pids()) {
      assertThat(Host.processAlive(pid))
          .as("pid %d (%s) after delete", pid, Host.cmdline(pid))
          .isFalse();
    }
    List<Integer> endpoints = new ArrayList<>();
    agent.json("endpoint", "list", "-o", "json").forEach(e -> endpoints.add(e.path("id").asInt()));
    assertThat(endpoints).doesNotContain(server.endpointId()).contains(other.endpointId());
    assertThat(ipCachePrefixes())
        .doesNotContain(server.ipv4() + "/32", server.ipv6() + "/128")
        .contains(other.ipv4() + "/32", other.ipv6() + "/128");
    assertThat(agent.pods()).extracting(Pod::ref).containsExactly("lc/survivor");
    assertThat(Host.routesTo(server.ipv4(), server.ipv6()))
        .as("routes to the deleted pod")
        .isEmpty();
    agent.cli("endpoint", "get", String.valueOf(server.endpointId())).assertFails();
  }

  @Test
  void duplicatePodNameFailsAndLeavesTheFirstAlone() {
    Pod first = agent.podRun("lc/dup", "app=one");
    CliResult again = agent.cli("pod", "run", "lc/dup", "--labels", "app=two").assertFails();
    assertThat(again.stderr()).contains("pod lc/dup already exists");
    List<Pod> pods = agent.pods();
    assertThat(pods).hasSize(1);
    assertThat(pods.getFirst()).isEqualTo(first);
    assertThat(Path.of(first.netns())).exists();
    assertThat(Host.linkExists(first.interfaceName())).isTrue();
  }

  @Test
  void unknownPodFailsForExecDeleteAndLabel() {
    agent.podRun("lc/real", "app=real");
    CliResult exec = agent.cli("pod", "exec", "lc/ghost", "--", "true").assertFails();
    assertThat(exec.stderr()).contains("pod lc/ghost not found");
    CliResult delete = agent.cli("pod", "delete", "lc/ghost").assertFails();
    assertThat(delete.stderr()).contains("pod lc/ghost not found");
    CliResult label = agent.cli("pod", "label", "lc/ghost", "a=b").assertFails();
    assertThat(label.stderr()).contains("pod lc/ghost not found");
    assertThat(agent.pods()).extracting(Pod::ref).containsExactly("lc/real");
  }

  @Test
  void invalidLabelsAreRejectedAndCreateNothing() {
    CliResult badValue = agent.cli("pod", "run", "lc/bad", "--labels", "app=b@d").assertFails();
    assertThat(badValue.stderr()).contains("invalid label value \"b@d\"").contains("\"app\"");
    CliResult badKey = agent.cli("pod", "run", "lc/bad", "--labels", "-bad=x").assertFails();
    assertThat(badKey.stderr()).contains("invalid label key \"-bad\"");
    CliResult noValue = agent.cli("pod", "run", "lc/bad", "--labels", "novalue").assertFails();
    assertThat(noValue.stderr()).contains("label \"novalue\" (expected: key=value)");
    assertThat(agent.podsJson()).isEmpty();
    assertThat(AgentFixture.netnsNames()).doesNotContain("jl-" + agent.node() + "-lc-bad");

    Pod ok = agent.podRun("lc/ok", "app=ok");
    CliResult relabel = agent.cli("pod", "label", "lc/ok", "app=n@pe", "--overwrite").assertFails();
    assertThat(relabel.stderr()).contains("invalid label value \"n@pe\"");
    CliResult noOverwrite = agent.cli("pod", "label", "lc/ok", "app=other").assertFails();
    assertThat(noOverwrite.stderr()).contains("--overwrite");
    Pod after = agent.pod("lc/ok").orElseThrow();
    assertThat(after.labels()).isEqualTo(Map.of("app", "ok"));
    assertThat(after.identity()).isEqualTo(ok.identity());
  }

  @Test
  void execPropagatesStdinStdoutStderrAndExitCode() {
    Pod pod = agent.podRun("lc/shell", "app=shell");
    CliResult r =
        agent.execWithInput(
            pod, "line one\nline two\n", "sh", "-c", "cat; echo to-stderr >&2; exit 7");
    assertThat(r.exitCode()).as("%s", r).isEqualTo(7);
    assertThat(r.stdout()).isEqualTo("line one\nline two\n");
    assertThat(r.stderr()).contains("to-stderr");
    assertThat(agent.exec(pod, "true").exitCode()).isZero();
    assertThat(agent.exec(pod, "sh", "-c", "exit 0").stdout()).isEmpty();
    // it runs in the pod's network namespace, not the host's
    String hostNs = readLink("/proc/self/ns/net");
    CliResult ns = agent.exec(pod, "readlink", "/proc/self/ns/net").assertOk();
    assertThat(ns.stdout().strip()).isNotEqualTo(hostNs).startsWith("net:[");
  }

  @Test
  void aCommandThatCannotStartLeavesNothingBehind() {
    CliResult missing = agent.cli("pod", "run", "lc/nocmd", "--", "/no/such/binary").assertFails();
    assertThat(missing.stderr()).contains("/no/such/binary");
    CliResult notInPath =
        agent.cli("pod", "run", "lc/nocmd", "--", "no-such-command-anywhere").assertFails();
    assertThat(notInPath.stderr()).contains("no-such-command-anywhere");
    assertThat(agent.podsJson()).isEmpty();
    assertThat(AgentFixture.netnsNames()).doesNotContain("jl-" + agent.node() + "-lc-nocmd");
    assertThat(agent.status().path("endpoints").asInt()).isZero();
    // the name is free for a pod that works
    Pod ok = agent.podRun("lc/nocmd", "app=ok", "sleep", "300");
    assertThat(ok.pids()).isNotEmpty();
  }

  @Test
  void aPodWithAVeryLongNameWorksAndIsRemovedCompletely() {
    String name = "n" + "0123456789".repeat(22) + "x.y";
    Pod p = agent.podRun("lc/" + name, "app=long", "sleep", "300");
    assertThat(p.name()).isEqualTo(name);
    assertThat(Path.of(p.netns())).exists();
    CliResult addr = agent.exec(p, "ip", "-o", "addr", "show", "dev", "eth0").assertOk();
    assertThat(addr.stdout()).contains(p.ipv4() + "/32");
    agent.cli("pod", "delete", "lc/" + name).assertOk();
    assertThat(Path.of(p.netns())).doesNotExist();
    assertThat(Host.linkExists(p.interfaceName())).isFalse();
    for (long pid : p.pids()) {
      assertThat(Host.processAlive(pid)).as("pid %d", pid).isFalse();
    }
  }

  @Test
  void concurrentPodRunsAndDeletesAllSucceedWithDistinctAddresses() throws Exception {
    int n = 6;
    List<java.util.concurrent.Future<Pod>> runs = new ArrayList<>();
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < n; i++) {
        String ref = "lc/many-" + i;
        runs.add(pool.submit(() -> agent.podRun(ref, "app=many")));
      }
    }
    List<Pod> pods = new ArrayList<>();
    for (var f : runs) {
      pods.add(f.get());
    }
    assertThat(pods).extracting(Pod::ipv4).doesNotHaveDuplicates();
    assertThat(pods).extracting(Pod::ipv6).doesNotHaveDuplicates();
    assertThat(pods).extracting(Pod::endpointId).doesNotHaveDuplicates();
    assertThat(pods).extracting(Pod::interfaceName).doesNotHaveDuplicates();
    assertThat(pods).extracting(Pod::identity).containsOnly(pods.getFirst().identity());
    assertThat(agent.identities().get(pods.getFirst().identity())).isNotNull();
    assertThat(
            agent
                .json("identity", "get", String.valueOf(pods.getFirst().identity()), "-o", "json")
                .path("references")
                .asInt())
        .isEqualTo(n);
    Net.assertPingAllowed(pods.get(0), pods.get(n - 1).ipv4());

    List<java.util.concurrent.Future<CliResult>> deletes = new ArrayList<>();
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      for (Pod p : pods) {
        deletes.add(pool.submit(() -> agent.cli("pod", "delete", p.ref())));
      }
    }
    for (var f : deletes) {
      f.get().assertOk();
    }
    assertThat(agent.podsJson()).isEmpty();
    assertThat(agent.identities()).doesNotContainKey(pods.getFirst().identity());
    for (Pod p : pods) {
      assertThat(Path.of(p.netns())).doesNotExist();
      assertThat(Host.linkExists(p.interfaceName())).isFalse();
    }
  }

  private static String readLink(String p) {
    try {
      return Files.readSymbolicLink(Path.of(p)).toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<String> ipCachePrefixes() {
    List<String> out = new ArrayList<>();
    agent
        .json("bpf", "ipcache", "list", "-o", "json")
        .forEach(e -> out.add(e.path("prefix").asText()));
    return out;
  }
}
