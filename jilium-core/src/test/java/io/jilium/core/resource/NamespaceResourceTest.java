package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NamespaceResourceTest {
  private static List<Resource> parse(String yaml) {
    return ResourceParser.parseAll(ManifestReader.read("ns.yaml", yaml));
  }

  private static String problem(String yaml) {
    try {
      parse(yaml);
    } catch (ManifestException e) {
      assertThat(e.problems()).hasSize(1);
      return e.problems().get(0);
    }
    throw new AssertionError("no error for:\n" + yaml);
  }

  @Test
  void carriesItsMetadataNameLabel() {
    NamespaceResource ns =
        (NamespaceResource)
            parse(
                    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n  labels: {env: prod}\n")
                .get(0);

    assertThat(ns.name()).isEqualTo("team-a");
    assertThat(ns.kind()).isEqualTo("Namespace");
    assertThat(ns.namespace()).isEmpty();
    assertThat(ns.displayName()).isEqualTo("Namespace team-a");
    assertThat(ns.labels())
        .containsExactly(
            Map.entry("env", "prod"), Map.entry("kubernetes.io/metadata.name", "team-a"));
  }

  @Test
  void withoutLabelsAndImplicitly() {
    NamespaceResource parsed =
        (NamespaceResource) parse("apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n").get(0);

    assertThat(parsed.labels()).containsExactly(Map.entry("kubernetes.io/metadata.name", "b"));
    assertThat(NamespaceResource.implicit("c").labels())
        .containsExactly(Map.entry("kubernetes.io/metadata.name", "c"));
  }

  @Test
  void theNameLabelCannotBeSetToAnotherValue() {
    // the API server sets kubernetes.io/metadata.name to the name, whatever the manifest says
    NamespaceResource ns =
        new NamespaceResource("a", Map.of("kubernetes.io/metadata.name", "b", "x", "y"));

    assertThat(ns.labels())
        .containsEntry("kubernetes.io/metadata.name", "a")
        .containsEntry("x", "y");
  }

  @Test
  void errors() {
    assertThat(problem("apiVersion: v1\nkind: Namespace\nmetadata: {name: Team_A}\n"))
        .startsWith(
            "ns.yaml: document 1 (Namespace Team_A): metadata.name: \"Team_A\" (expected: a DNS-1123 label");
    assertThat(
            problem("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + "a".repeat(64) + "}\n"))
        .contains("metadata.name: \"" + "a".repeat(64) + "\" (expected: a DNS-1123 label");
    assertThat(problem("apiVersion: v1\nkind: Namespace\nmetadata: {name: a, namespace: b}\n"))
        .isEqualTo(
            "ns.yaml: document 1 (Namespace b/a): metadata.namespace: a Namespace is not namespaced; remove this field");
    assertThat(
            problem("apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {'a/b/c': x}}\n"))
        .startsWith(
            "ns.yaml: document 1 (Namespace a): metadata.labels.a/b/c: invalid label key: ");
    assertThat(
            problem(
                "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {team: 'x y'}}\n"))
        .startsWith(
            "ns.yaml: document 1 (Namespace a): metadata.labels.team: invalid label value \"x y\": ");
    assertThat(problem("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\nextra: 1\n"))
        .startsWith("ns.yaml: document 1 (Namespace a): extra: unknown field");
    assertThat(problem("apiVersion: v1\nkind: Namespace\n"))
        .isEqualTo("ns.yaml: document 1 (Namespace): metadata: required field is missing");
  }
}
