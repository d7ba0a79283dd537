package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The subset reader against Jackson's YAML reader (the reference): whatever the subset reader
 * accepts, it must read into the very same trees, node types and key order included.
 */
class YamlSubsetReaderTest {
  private static final ObjectMapper JACKSON =
      YAMLMapper.builder(YAMLFactory.builder().build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  /** The reference: Jackson's documents, or null when it refuses the text. */
  private static List<JsonNode> reference(String yaml) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = JACKSON.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNextValue()) {
        docs.add(it.nextValue());
      }
      return docs;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static boolean empty(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() || (n.isTextual() && n.asText().isEmpty());
  }

  /** A description of the tree that tells node types and key order apart. */
  private static String typed(JsonNode n) {
    if (empty(n)) {
      return "<empty>";
    }
    StringBuilder b = new StringBuilder();
    describe(n, b);
    return b.toString();
  }

  private static void describe(JsonNode n, StringBuilder b) {
    if (n.isObject()) {
      b.append('{');
      n.properties()
          .forEach(
              e -> {
                b.append(e.getKey()).append('=');
                describe(e.getValue(), b);
                b.append(';');
              });
      b.append('}');
    } else if (n.isArray()) {
      b.append('[');
      n.forEach(
          x -> {
            describe(x, b);
            b.append(';');
          });
      b.append(']');
    } else {
      b.append(n.getClass().getSimpleName()).append('(').append(n).append(')');
    }
  }

  /** Whether the subset reader agrees with the reference; true when it declined the text. */
  private static void assertAgrees(String yaml, List<JsonNode> mine) {
    List<JsonNode> ref = reference(yaml);
    assertThat(ref).as("Jackson refuses what the subset reader read:%n%s", yaml).isNotNull();
    assertThat(mine.stream().map(YamlSubsetReaderTest::typed).toList())
        .as("trees of%n%s", yaml)
        .isEqualTo(ref.stream().map(YamlSubsetReaderTest::typed).toList());
  }

  private static void assertReadsLikeJackson(String yaml) {
    List<JsonNode> mine = YamlSubsetReader.read(yaml, JACKSON);
    assertThat(mine).as("outside the subset:%n%s", yaml).isNotNull();
    assertAgrees(yaml, mine);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: default\n",
        "a: 1\nb: -7\nc: 0\nd: 123456789\ne: 1234567890\nf: 010\ng: 0x1F\nh: 1.5\ni: +3\n",
        "a: yes\nb: No\nc: true\nd: FALSE\ne: on\nf: off\ng: null\nh: ~\ni: Nil\nj: y\n",
        "ip: 10.0.0.1\nv6: fd00::1\ncidr: 10.0.0.0/8\nver: 1.2.3\ndate: 2001-12-14\n",
        "url: http://x:80/a#b\ns: a #comment\nt: 'it''s'\nu: \"q\\\"x\\\\y\\n\"\nempty:\nk2: ''\n",
        "ports:\n- port: 80\n  name: http\n- port: 443\n  name: https\nafter: x\n",
        "ports:\n  - port: 80\n    protocol: TCP\n  -   port: 81\nnext: 1\n",
        "list: [a, 'b', \"c\", 1, [x, y], {k: v}, []]\nmap: {a: 1, b: {c: d}, e: [1, 2], f: {}}\n",
        "# leading comment\n\n---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n",
        "a: 1\n---\n",
        "s:\n-\n  a: 1\n- \n- b: 2\n  c: 3\n- # c\n",
        "labels:\n  app.kubernetes.io/name: web\n  'quoted key': v\n  \"dq\": w\n  k8s: \"80\"\n",
        "  indented: root\n  second: 2\n",
        "a: b c d\nspaces:    trailing   \n",
        "key with spaces: v\n80: http\ntrue: t\n",
      })
  void readsTheSubsetExactlyAsJacksonDoes(String yaml) {
    assertReadsLikeJackson(yaml);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a: &x 1\nb: *x\n",
        // nested sequences on one line
        "a:\n  b:\n    c:\n      - x\n      - - \"y\"\n",
        "x:\n- a\n-   - b\n",
        "a: !!str 1\n",
        "a: |\n  text\n",
        "a: >\n  folded\n",
        "a: multi\n  line\n",
        "a: \"two\n  lines\"\n",
        "a: [1,\n  2]\n",
        "a:\tb\n",
        "a: 1\r\nb: 2\r\n",
        "a: caf\u00e9\n",
        "%YAML 1.1\n---\na: 1\n",
        "a: 1\n...\n",
        "? complex\n: key\n",
        "a: 1\na: 2\n",
        "a: b: c\n",
        "a: 1\n  b: 2\n",
        "- a\nb: 1\n",
        "{a: 1, a: 2}\n",
        "a: {b: 1,}\n",
        "a: [b: 1]\n",
        "a: \"\\x41\"\n",
        "<<: {a: 1}\n",
        "--- a: 1\n",
        "a: 'unterminated\n",
        "just a scalar\n",
        "---\n- a\n- b\n",
      })
  void leavesEverythingElseToTheFullReader(String yaml) {
    assertThat(YamlSubsetReader.read(yaml, JACKSON)).as("%s", yaml).isNull();
  }

  /** The manifests the tests of every module apply (Java text blocks with a {@code kind:}). */
  @Test
  void everyManifestInTheTestsReadsLikeJackson() throws IOException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<Path> sources;
    try (Stream<Path> walk = Files.walk(root)) {
      sources =
          walk.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/"))
              .filter(p -> !p.toString().contains("/target/"))
              .toList();
    }
    Pattern textBlock = Pattern.compile("\"\"\"\n(.*?)\"\"\"", Pattern.DOTALL);
    int manifests = 0;
    int accepted = 0;
    for (Path f : sources) {
      Matcher m = textBlock.matcher(Files.readString(f));
      while (m.find()) {
        String yaml;
        try {
          yaml = m.group(1).stripIndent().translateEscapes();
        } catch (IllegalArgumentException e) {
          continue;
        }
        if (!yaml.contains("kind:") || reference(yaml) == null) {
          continue;
        }
        manifests++;
        List<JsonNode> mine = YamlSubsetReader.read(yaml, JACKSON);
        if (mine != null) {
          accepted++;
          assertAgrees(yaml, mine);
        }
      }
    }
    // ordinary Kubernetes YAML: most must take the fast path
    assertThat(manifests).isGreaterThan(30);
    assertThat(accepted).as("accepted of %d manifests", manifests).isGreaterThan(manifests / 2);
  }

  /**
   * Malformed YAML must never slip through: manifests with one or two characters changed (deleted,
   * inserted or replaced structure characters, indentation changes) are either declined by the
   * subset reader or read exactly as Jackson reads them, and whatever Jackson refuses is declined.
   */
  @Test
  void mutatedManifestsAreDeclinedOrReadLikeJackson() {
    String base =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
          labels: {app: web, "tier": 'front'}
        spec:
          clusterIP: 10.96.0.10
          ports:
          - name: http
            port: 80
            targetPort: 8080 # the pods' port
          -   {name: dns, port: 53, protocol: UDP}
          selector:
            app: web
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        endpoints:
        - addresses: [10.0.0.1, "10.0.0.2"]
          conditions: {ready: true}
        ---
        # c
        k: 'it''s'
        q: "a\\"b\\\\c\\n"
        empty:
        list:
        -
          a: 1
        -\s
        - x
        n: ~
        t: yes
        """;
    String alphabet = " :-#[]{},'\"\n?&*!|>x0\t%@`.~<=\\/1y";
    Random rnd = new Random(42);
    int accepted = 0;
    for (int i = 0; i < 30_000; i++) {
      StringBuilder m = new StringBuilder(base);
      for (int k = 1 + rnd.nextInt(2); k > 0; k--) {
        int at = rnd.nextInt(m.length());
        switch (rnd.nextInt(3)) {
          case 0 -> m.deleteCharAt(at);
          case 1 -> m.insert(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
          default -> m.setCharAt(at, alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
      }
      String yaml = m.toString();
      List<JsonNode> mine = YamlSubsetReader.read(yaml, JACKSON);
      if (mine != null) {
        accepted++;
        assertAgrees(yaml, mine);
      }
    }
    // most single mutations leave a valid manifest in the subset: the comparison has cases
    assertThat(accepted).isGreaterThan(7_500);
  }

  // ---- generated documents ----

  private static final String[] SCALARS = {
    "web",
    "80",
    "-1",
    "0",
    "007",
    "1e3",
    "1.0",
    "10.1.2.3",
    "fd00::1",
    "yes",
    "NO",
    "true",
    "False",
    "null",
    "~",
    "on",
    "y",
    "n",
    "0x10",
    "+5",
    ".5",
    ".inf",
    "1_000",
    "2001-12-14",
    "a b",
    "a:b",
    "http://h/p",
    "x#y",
    "-x",
    "TCP",
    "kubernetes.io/service-name",
    "1Gi",
    "100m",
    "=",
    "<<",
    "a,b",
    "123456789",
    "1234567890",
    "99999999999999999999",
    "/path",
    "_x",
    "$v"
  };

  /** Renders random trees in random styles; every accepted rendering must read like Jackson. */
  @Test
  void generatedDocumentsReadLikeJackson() {
    Random rnd = new Random(20261126);
    int accepted = 0;
    for (int i = 0; i < 3000; i++) {
      StringBuilder y = new StringBuilder();
      int docs = 1 + rnd.nextInt(3);
      for (int d = 0; d < docs; d++) {
        if (d > 0 || rnd.nextBoolean()) {
          y.append("---").append(rnd.nextInt(4) == 0 ? " # doc\n" : "\n");
        }
        if (rnd.nextInt(10) == 0) {
          continue; // an empty document
        }
        blockMap(rnd, y, 2 * rnd.nextInt(2), 0);
      }
      String yaml = y.toString();
      List<JsonNode> mine = YamlSubsetReader.read(yaml, JACKSON);
      if (mine != null) {
        accepted++;
        assertAgrees(yaml, mine);
      }
    }
    assertThat(accepted).isGreaterThan(1500);
  }

  private static String scalar(Random rnd, boolean flow) {
    String v = SCALARS[rnd.nextInt(SCALARS.length)];
    int style = rnd.nextInt(6);
    if (style == 0) {
      return "'" + v.replace("'", "''") + "'";
    }
    if (style == 1) {
      return "\"" + v + "\"";
    }
    if (flow && (v.contains(",") || v.contains(":") || v.contains("#") || v.startsWith("-"))) {
      return "'" + v + "'";
    }
    return v;
  }

  private static String key(Random rnd, int n) {
    return switch (rnd.nextInt(8)) {
      case 0 -> "'k " + n + "'";
      case 1 -> "\"k" + n + "\"";
      case 2 -> "k8s.io/k" + n;
      default -> "k" + n;
    };
  }

  private static void indent(StringBuilder y, int n) {
    y.append(" ".repeat(n));
  }

  private static void blockMap(Random rnd, StringBuilder y, int ind, int depth) {
    int n = 1 + rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      if (rnd.nextInt(8) == 0) {
        y.append(rnd.nextBoolean() ? "\n" : " ".repeat(ind) + "# note\n");
      }
      if (i > 0) {
        indent(y, ind);
      } else if (y.isEmpty() || y.charAt(y.length() - 1) == '\n') {
        indent(y, ind);
      }
      y.append(key(rnd, i)).append(':');
      value(rnd, y, ind, depth);
    }
  }

  private static void value(Random rnd, StringBuilder y, int ind, int depth) {
    int kind = depth > 3 ? rnd.nextInt(3) : rnd.nextInt(7);
    switch (kind) {
      case 0, 1 -> y.append(' ').append(scalar(rnd, false)).append(comment(rnd)).append('\n');
      case 2 -> y.append(' ').append(flow(rnd, depth)).append('\n');
      case 3 -> {
        y.append(comment(rnd)).append('\n');
        blockMap(rnd, y, ind + 2, depth + 1);
      }
      case 4, 5 -> {
        y.append('\n');
        blockSeq(rnd, y, kind == 4 ? ind : ind + 2, depth + 1);
      }
      default -> y.append(rnd.nextBoolean() ? "\n" : " # empty\n");
    }
  }

  private static void blockSeq(Random rnd, StringBuilder y, int ind, int depth) {
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      indent(y, ind);
      y.append('-');
      switch (rnd.nextInt(4)) {
        case 0 -> y.append(' ').append(scalar(rnd, false)).append('\n');
        case 1 -> y.append(' ').append(flow(rnd, depth)).append('\n');
        case 2 -> {
          y.append(' ');
          blockMap(rnd, y, ind + 2, depth + 1);
        }
        default -> {
          y.append('\n');
          blockMap(rnd, y, ind + 2, depth + 1);
        }
      }
    }
  }

  private static String flow(Random rnd, int depth) {
    StringBuilder b = new StringBuilder();
    int n = rnd.nextInt(4);
    boolean map = rnd.nextBoolean();
    b.append(map ? '{' : '[');
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        b.append(rnd.nextBoolean() ? ", " : ",");
      }
      if (map) {
        b.append(key(rnd, i)).append(": ");
      }
      b.append(depth < 4 && rnd.nextInt(5) == 0 ? flow(rnd, depth + 1) : scalar(rnd, true));
    }
    return b.append(map ? '}' : ']').toString();
  }

  private static String comment(Random rnd) {
    return rnd.nextInt(6) == 0 ? " # c" : "";
  }
}
