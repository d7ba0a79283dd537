package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written JSON text is Jackson's for the same tree. */
class CompactJsonTest {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Test
  void everyScalarKindAndEscapeAsJacksonWritesIt() {
    StringBuilder controls = new StringBuilder();
    for (char c = 0; c < 0x20; c++) {
      controls.append(c);
    }
    ObjectNode o = F.objectNode();
    o.put("s", "plain \"quoted\" back\\slash /slash caf\u00e9 \ud83d\ude00 " + controls + "\u007f");
    o.put("i", -42).put("l", 1L << 40).put("d", 1.5).put("e", 1e21).put("t", true);
    o.put("f", false).putNull("n").put("big", new BigInteger("123456789012345678901234567890"));
    o.put("dec", new BigDecimal("1.10")).put("fl", 2.5f);
    o.putArray("a").add(1).add("x").addArray();
    o.putObject("o").putObject("nested").put("k\n", "v");
    o.putObject("empty");
    assertThat(CompactJson.of(o)).isEqualTo(o.toString());
  }

  @Test
  void randomTreesReadTheSame() {
    Random rnd = new Random(7);
    for (int i = 0; i < 500; i++) {
      JsonNode n = tree(rnd, 0);
      assertThat(CompactJson.of(n)).isEqualTo(n.toString());
    }
  }

  private static JsonNode tree(Random rnd, int depth) {
    int kind = depth > 3 ? 2 + rnd.nextInt(4) : rnd.nextInt(6);
    switch (kind) {
      case 0 -> {
        ObjectNode o = F.objectNode();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          o.set(text(rnd), tree(rnd, depth + 1));
        }
        return o;
      }
      case 1 -> {
        ArrayNode a = F.arrayNode();
        for (int i = rnd.nextInt(4); i > 0; i--) {
          a.add(tree(rnd, depth + 1));
        }
        return a;
      }
      case 2 -> {
        return F.textNode(text(rnd));
      }
      case 3 -> {
        return rnd.nextBoolean() ? F.numberNode(rnd.nextInt()) : F.numberNode(rnd.nextLong());
      }
      case 4 -> {
        return F.numberNode(rnd.nextDouble() * Math.pow(10, rnd.nextInt(40) - 20));
      }
      default -> {
        return rnd.nextBoolean() ? F.booleanNode(rnd.nextBoolean()) : F.nullNode();
      }
    }
  }

  private static String text(Random rnd) {
    StringBuilder b = new StringBuilder();
    for (int i = rnd.nextInt(8); i > 0; i--) {
      int r = rnd.nextInt(10);
      b.append(
          r == 0
              ? (char) rnd.nextInt(0x20)
              : r == 1 ? '"' : r == 2 ? '\\' : r == 3 ? '\u00e9' : (char) ('a' + rnd.nextInt(26)));
    }
    return b.toString();
  }
}
