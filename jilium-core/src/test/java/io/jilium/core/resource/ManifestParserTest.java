package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestParserTest {
  /**
   * Document {@code i} of a large manifest: varied kinds, markers, comments and empty documents.
   */
  private static String document(int i) {
    return switch (i % 5) {
      case 0 ->
          "--- # service "
              + i
              + "\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-"
              + i
              + "\n  namespace: ns-"
              + (i % 7)
              + "\nspec:\n  clusterIP: 10.96."
              + (i / 250)
              + "."
              + (i % 250 + 1)
              + "\n  ports:\n  - {name: http, port: 80, targetPort: 8080}\n";
      case 1 ->
          "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: svc-"
              + i
              + "-1, namespace: ns-1, labels: {kubernetes.io/service-name: svc-"
              + i
              + "}}\naddressType: IPv4\nendpoints:\n- addresses: [10.0.0."
              + (i % 250 + 1)
              + "]\nports: [{name: http, port: 8080}]\n";
      case 2 -> "---\n# nothing but a comment: an empty document\n";
      case 3 ->
          "---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n"
              + "  metadata: {name: team-"
              + i
              + ", labels: {team: t"
              + i
              + "}}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: other-"
              + i
              + "}\n";
      default ->
          "---\napiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {name: p-"
              + i
              + "}\nspec:\n  endpointSelector: {matchLabels: {app: a"
              + i
              + "}}\n  ingress:\n  - fromEndpoints:\n    - matchLabels: {app: b}\n"
              + "    toPorts:\n    - ports: [{port: \"80\", protocol: TCP}]\n";
    };
  }

  /** A manifest of {@code n} documents, several times larger than one part. */
  private static String manifest(String head, int n) {
    StringBuilder b = new StringBuilder(head);
    for (int i = 0; i < n; i++) {
      b.append(document(i));
    }
    assertThat(b.length()).isGreaterThan(ManifestParser.SPLIT_THRESHOLD);
    return b.toString();
  }

  private static List<Resource> described(ManifestParser.Parsed p) {
    return p.resources();
  }

  @Test
  void aLargeManifestIsSplitIntoPartsThatCoverItExactly() {
    String m = manifest("", 3000);
    List<ManifestParser.Part> parts = ManifestParser.split("big.yaml", m);

    assertThat(parts).hasSizeGreaterThan(2);
    assertThat(String.join("", parts.stream().map(ManifestParser.Part::content).toList()))
        .isEqualTo(m);
    // every document marker starts one document: the bases add up to the manifest's 3,000
    int base = 0;
    for (ManifestParser.Part p : parts) {
      assertThat(p.base()).isEqualTo(base);
      assertThat(p.content()).startsWith("---");
      base += p.documents();
    }
    assertThat(base).isEqualTo(3000);
  }

  @Test
  void partsGiveTheSameResourcesAndDocumentNumbersAsOneThread() {
    // an implicit first document (no marker before it) is counted too
    String head = "# leading comment\napiVersion: v1\nkind: Namespace\nmetadata: {name: first}\n";
    List<ManifestParser.Source> sources =
        List.of(
            new ManifestParser.Source("big.yaml", manifest(head, 3000)),
            new ManifestParser.Source("small.yaml", document(0)),
            new ManifestParser.Source("other.yaml", manifest("", 2000)));

    ManifestParser.Parsed parallel = ManifestParser.parse(sources);
    ManifestParser.Parsed reference = ManifestParser.sequential(sources);

    // the parts parse on their own (the parallel path is taken, not the one-thread fallback)
    List<ManifestParser.Part> parts = ManifestParser.split("big.yaml", sources.get(0).content());
    assertThat(parts)
        .hasSizeGreaterThan(2)
        .allSatisfy(p -> assertThat(ManifestParser.parsePart(p)).isNotNull());

    assertThat(parallel.where()).isEqualTo(reference.where());
    assertThat(described(parallel)).isEqualTo(described(reference));
    // 1 + 3000 documents, of which 600 empty and 600 lists of two namespaces: 1 + 3000 resources
    assertThat(parallel.resources()).hasSize(1 + 3000 + 1 + 2000);
    assertThat(parallel.where().get(1)).isEqualTo("big.yaml: document 2");
    assertThat(parallel.where().getLast()).isEqualTo("other.yaml: document 2000");
  }

  @Test
  void aProblemDeepInALargeManifestIsReportedAsOneThreadReportsIt() {
    String m = manifest("", 3000);
    String bad = m.replace("name: svc-2500\n", "name: Svc_2500\n");
    String malformed = m.replace("name: svc-2750\n", "name: [svc-2750\n");
    for (String text : List.of(bad, malformed)) {
      List<ManifestParser.Source> sources = List.of(new ManifestParser.Source("big.yaml", text));
      Throwable want = catchProblem(() -> ManifestParser.sequential(sources));

      assertThatThrownBy(() -> ManifestParser.parse(sources))
          .isInstanceOf(ManifestException.class)
          .hasMessage(want.getMessage());
    }
    assertThat(
            catchProblem(
                    () -> ManifestParser.parse(List.of(new ManifestParser.Source("big.yaml", bad))))
                .getMessage())
        .startsWith("big.yaml: document 2501 (Service ns-1/Svc_2500): metadata.name");
  }

  @Test
  void directivesAndEndMarkersAreReadOnOneThread() {
    String m = manifest("", 3000);
    String withDirective = "%YAML 1.1\n" + m;
    String withEnd = m.replace("---\n# nothing but a comment", "...\n---\n# nothing but a comment");

    assertThat(ManifestParser.split("d.yaml", withDirective)).isEmpty();
    assertThat(ManifestParser.split("e.yaml", withEnd)).isEmpty();
    for (String text : List.of(withDirective, withEnd)) {
      List<ManifestParser.Source> sources = List.of(new ManifestParser.Source("x.yaml", text));
      assertThat(described(ManifestParser.parse(sources)))
          .isEqualTo(described(ManifestParser.sequential(sources)));
    }
  }

  @Test
  void smallAndJsonManifestsAreOnePart() {
    String json =
        "["
            + "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}},"
                .repeat(5000)
            + "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"a\"}}]";
    assertThat(json.length()).isGreaterThan(ManifestParser.SPLIT_THRESHOLD);

    assertThat(ManifestParser.split("n.json", json)).hasSize(1);
    assertThat(ManifestParser.split("s.yaml", document(0))).hasSize(1);
  }

  private static Throwable catchProblem(Runnable r) {
    try {
      r.run();
    } catch (ManifestException e) {
      return e;
    }
    throw new AssertionError("no problem reported");
  }
}
