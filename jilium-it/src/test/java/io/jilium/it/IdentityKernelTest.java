package io.jilium.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Security identities derived from pod and namespace labels, as the agent allocates and releases
 * them.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IdentityKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  @Test
  void equalLabelsShareAnIdentityDifferentLabelsDoNot() {
    Pod a1 = agent.podRun("idt/a1", "app=a,tier=x");
    Pod a2 = agent.podRun("idt/a2", "tier=x,app=a");
    Pod b = agent.podRun("idt/b", "app=b,tier=x");
    Pod otherNs = agent.podRun("idt-other/a", "app=a,tier=x");

    assertThat(a1.identity()).as("same labels, same namespace").isEqualTo(a2.identity());
    assertThat(b.identity()).as("different labels").isNotEqualTo(a1.identity());
    assertThat(otherNs.identity())
        .as("same labels, other namespace")
        .isNotEqualTo(a1.identity())
        .isNotEqualTo(b.identity());
    for (Pod p : List.of(a1, a2, b, otherNs)) {
      assertThat(p.identity())
          .as("identity of %s is allocated, not reserved", p.ref())
          .isGreaterThanOrEqualTo(256);
    }

    Map<Integer, List<String>> ids = agent.identities();
    assertThat(ids.get(a1.identity()))
        .containsExactlyInAnyOrder(
            "k8s:app=a",
            "k8s:tier=x",
            "k8s:io.kubernetes.pod.namespace=idt",
            "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=idt");
    assertThat(ids.get(otherNs.identity()))
        .contains(
            "k8s:io.kubernetes.pod.namespace=idt-other",
            "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=idt-other");
    assertThat(ids.get(b.identity())).contains("k8s:app=b");

    JsonNode shared = identity(a1.identity());
    assertThat(shared.path("references").asInt())
        .as("two pods hold identity %d", a1.identity())
        .isEqualTo(2);
    assertThat(shared.path("reserved").asBoolean()).isFalse();
    // reserved identities are listed too, below 256
    assertThat(ids.get(1)).containsExactly("reserved:host");
    assertThat(ids.get(2)).containsExactly("reserved:world");
  }

  @Test
  void namespaceLabelsChangeTheIdentitiesOfItsPods() {
    Pod p = agent.podRun("idns", "app=web");
    Pod q = agent.podRun("idns-q/web", "app=web");
    int before = agent.pod("default/idns").orElseThrow().identity();
    assertThat(p.namespace()).isEqualTo("default");

    Pod web = agent.podRun("teamns/web", "app=web");
    Pod web2 = agent.podRun("teamns/web2", "app=web");
    assertThat(web2.identity()).isEqualTo(web.identity());
    int old = web.identity();

    String ns =
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: teamns
          labels:
            team: blue
        """;
    CliResult r = agent.apply(ns);
    assertThat(r.stdout()).contains("namespace/teamns");
    try {
      Pod after = agent.pod("teamns/web").orElseThrow();
      Pod after2 = agent.pod("teamns/web2").orElseThrow();
      assertThat(after.identity())
          .as("identity after the namespace got labels")
          .isNotEqualTo(old)
          .isGreaterThanOrEqualTo(256);
      assertThat(after2.identity()).isEqualTo(after.identity());
      assertThat(agent.identities().get(after.identity()))
          .contains(
              "k8s:io.cilium.k8s.namespace.labels.team=blue",
              "k8s:io.kubernetes.pod.namespace=teamns",
              "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=teamns",
              "k8s:app=web");
      assertThat(agent.identities())
          .as("the old identity has no pod left and is released")
          .doesNotContainKey(old);
      // the ipcache follows: the pods' addresses carry the new identity
      assertThat(ipCacheIdentity(after.ipv4() + "/32")).isEqualTo(after.identity());
      assertThat(ipCacheIdentity(after.ipv6() + "/128")).isEqualTo(after.identity());
      // pods of other namespaces keep theirs
      assertThat(agent.pod("default/idns").orElseThrow().identity()).isEqualTo(before);
      assertThat(agent.pod("idns-q/web").orElseThrow().identity()).isEqualTo(q.identity());
    } finally {
      agent.delete(ns);
    }
    // without the labels, the identity is the one of plain teamns/app=web again (a fresh
    // allocation)
    Pod reset = agent.pod("teamns/web").orElseThrow();
    assertThat(agent.identities().get(reset.identity()))
        .doesNotContain("k8s:io.cilium.k8s.namespace.labels.team=blue");
  }

  @Test
  void podsCreatedInALabeledNamespaceCarryItsLabels() {
    String ns =
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: preset
          labels:
            env: prod
        """;
    assertThat(agent.apply(ns).stdout()).contains("namespace/preset created");
    try {
      Pod p = agent.podRun("preset/web", "app=web");
      assertThat(agent.identities().get(p.identity()))
          .contains(
              "k8s:io.cilium.k8s.namespace.labels.env=prod",
              "k8s:io.kubernetes.pod.namespace=preset");
      assertThat(agent.apply(ns).stdout()).contains("namespace/preset unchanged");
    } finally {
      agent.delete(ns);
    }
  }

  @Test
  void deletingTheLastPodOfAnIdentityReleasesIt() {
    Pod x1 = agent.podRun("idrel/x1", "app=x");
    Pod x2 = agent.podRun("idrel/x2", "app=x");
    Pod y = agent.podRun("idrel/y", "app=y");
    int id = x1.identity();
    assertThat(x2.identity()).isEqualTo(id);

    agent.cli("pod", "delete", "idrel/x1").assertOk();
    JsonNode still = identity(id);
    assertThat(still.path("references").asInt()).as("x2 still holds %d", id).isEqualTo(1);

    agent.cli("pod", "delete", "idrel/x2").assertOk();
    assertThat(agent.identities()).doesNotContainKey(id).containsKey(y.identity());
    CliResult gone = agent.cli("identity", "get", String.valueOf(id)).assertFails();
    assertThat(gone.stderr()).contains("identity " + id + " not found");
  }

  @Test
  void relabelingMovesAPodToTheIdentityOfItsNewLabels() {
    Pod a = agent.podRun("idlab/a", "app=a");
    Pod b = agent.podRun("idlab/b", "app=b");
    CliResult r = agent.cli("pod", "label", "idlab/b", "app=a", "--overwrite").assertOk();
    assertThat(r.stdout()).contains("identity " + a.identity());
    assertThat(agent.pod("idlab/b").orElseThrow().identity()).isEqualTo(a.identity());
    assertThat(agent.identities())
        .as("b's old identity is released")
        .doesNotContainKey(b.identity());
    assertThat(ipCacheIdentity(b.ipv4() + "/32")).isEqualTo(a.identity());

    agent.cli("pod", "label", "idlab/b", "extra=yes").assertOk();
    Pod b2 = agent.pod("idlab/b").orElseThrow();
    assertThat(b2.identity()).isNotEqualTo(a.identity()).isGreaterThanOrEqualTo(256);
    assertThat(b2.labels()).isEqualTo(Map.of("app", "a", "extra", "yes"));
    agent.cli("pod", "label", "idlab/b", "extra-").assertOk();
    assertThat(agent.pod("idlab/b").orElseThrow().identity()).isEqualTo(a.identity());
  }

  private JsonNode identity(int id) {
    return agent.json("identity", "get", String.valueOf(id), "-o", "json");
  }

  private int ipCacheIdentity(String prefix) {
    for (JsonNode e : agent.json("bpf", "ipcache", "list", "-o", "json")) {
      if (e.path("prefix").asText().equals(prefix)) {
        return e.path("identity").asInt();
      }
    }
    throw new AssertionError("no ipcache entry for " + prefix);
  }
}
