package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestReaderTest {
  private static List<String> kinds(List<Document> docs) {
    return docs.stream().map(d -> d.content().path("kind").asText()).toList();
  }

  private static ManifestException failure(String source, String content) {
    try {
      ManifestReader.read(source, content);
    } catch (ManifestException e) {
      return e;
    }
    throw new AssertionError("no ManifestException for:\n" + content);
  }

  @Test
  void multiDocumentYaml() {
    List<Document> docs =
        ManifestReader.read(
            "p.yaml", "kind: Namespace\nmetadata: {name: a}\n---\nkind: CiliumNetworkPolicy\n");

    assertThat(kinds(docs)).containsExactly("Namespace", "CiliumNetworkPolicy");
    assertThat(docs).extracting(Document::index).containsExactly(1, 2);
    assertThat(docs).extracting(Document::source).containsOnly("p.yaml");
    assertThat(docs.get(1).where()).isEqualTo("p.yaml: document 2");
    assertThat(docs.get(0).content().path("metadata").path("name").asText()).isEqualTo("a");
  }

  @Test
  void emptyDocumentsAreSkippedButStillCounted() {
    String yaml =
        """
        ---
        ---
        kind: A
        ---
        # only a comment
        ---

        ---
        {}
        ---
        kind: B
        ---
        """;

    List<Document> docs = ManifestReader.read("p.yaml", yaml);

    assertThat(kinds(docs)).containsExactly("A", "B");
    assertThat(docs).extracting(Document::index).containsExactly(2, 6);
  }

  @Test
  void emptyInputHasNoDocuments() {
    assertThat(ManifestReader.read("p.yaml", "")).isEmpty();
    assertThat(ManifestReader.read("p.yaml", "# nothing\n")).isEmpty();
    assertThat(ManifestReader.read("p.yaml", "---\n")).isEmpty();
  }

  @Test
  void json() {
    assertThat(kinds(ManifestReader.read("p.json", "{\"kind\": \"A\"}"))).containsExactly("A");
    assertThat(kinds(ManifestReader.read("p.json", "  {\"kind\": \"A\"}\n{\"kind\": \"B\"}")))
        .containsExactly("A", "B");
    List<Document> array = ManifestReader.read("p.json", "[{\"kind\": \"A\"}, {\"kind\": \"B\"}]");
    assertThat(kinds(array)).containsExactly("A", "B");
    assertThat(array).extracting(Document::index).containsExactly(1, 2);
  }

  @Test
  void kindListIsExpanded() {
    String yaml =
        """
        apiVersion: v1
        kind: List
        items:
        - kind: A
        - kind: B
        ---
        kind: C
        """;

    List<Document> docs = ManifestReader.read("p.yaml", yaml);

    assertThat(kinds(docs)).containsExactly("A", "B", "C");
    assertThat(docs).extracting(Document::index).containsExactly(1, 1, 2);
    assertThat(
            kinds(
                ManifestReader.read(
                    "p.json", "{\"kind\": \"List\", \"items\": [{\"kind\": \"A\"}]}")))
        .containsExactly("A");
  }

  @Test
  void listItemsMustBeAList() {
    assertThat(failure("p.yaml", "kind: List\nitems: {kind: A}\n").getMessage())
        .isEqualTo("p.yaml: document 1: items: expected a list");
  }

  @Test
  void malformedYamlNamesDocumentAndLine() {
    String yaml = "kind: A\n---\nkind: B\nspec: [1,\nx: y\n  z: w\n";

    ManifestException e = failure("p.yaml", yaml);

    assertThat(e.problems()).hasSize(1);
    assertThat(e.getMessage()).startsWith("p.yaml: document 2: malformed YAML at line 6");
  }

  @Test
  void tabsAreMalformedYaml() {
    assertThat(failure("p.yaml", "kind: A\nspec:\n\tx: 1\n").getMessage())
        .startsWith("p.yaml: document 1: malformed YAML at line ")
        .contains("TAB");
  }

  @Test
  void malformedJson() {
    assertThat(failure("p.json", "{\"kind\": \"A\",\n \"spec\": }").getMessage())
        .startsWith("p.json: document 1: malformed JSON at line 2");
  }

  @Test
  void duplicateKeysAreRejected() {
    assertThat(failure("p.yaml", "kind: A\nmetadata:\n  name: x\n  name: y\n").getMessage())
        .startsWith("p.yaml: document 1: malformed YAML at line 4")
        .contains("Duplicate field 'name'");
    assertThat(failure("p.yaml", "kind: A\n---\nkind: B\nkind: C\n").getMessage())
        .startsWith("p.yaml: document 2: ")
        .contains("Duplicate field 'kind'");
    assertThat(failure("p.json", "{\"kind\": \"A\", \"kind\": \"B\"}").getMessage())
        .contains("Duplicate field 'kind'");
  }

  @Test
  void aScalarDocumentIsADocument() {
    // left to the parser, which says it is not an object
    assertThat(ManifestReader.read("p.yaml", "hello\n")).hasSize(1);
    assertThatThrownBy(() -> ResourceParser.parseAll(ManifestReader.read("p.yaml", "hello\n")))
        .isInstanceOf(ManifestException.class)
        .hasMessage("p.yaml: document 1: (document): expected an object, got \"hello\"");
  }
}
