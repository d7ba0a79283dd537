package io.jilium.core.resource;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * A resource's document as compact JSON text, what the agent compares (unchanged on re-apply) and
 * saves. Written by hand for the node types manifests hold (objects, arrays, strings, integers,
 * doubles, booleans, null), since Jackson's general serializer was a fifth of the time it took to
 * parse 10,000 Services; any other node is left to Jackson. The text is Jackson's {@code
 * JsonNode.toString()} for the same tree.
 */
final class CompactJson {
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private CompactJson() {}

  static String of(JsonNode node) {
    StringBuilder b = new StringBuilder(256);
    write(node, b);
    return b.toString();
  }

  private static void write(JsonNode n, StringBuilder b) {
    switch (n.getNodeType()) {
      case OBJECT -> {
        b.append('{');
        boolean first = true;
        for (Map.Entry<String, JsonNode> e : n.properties()) {
          if (!first) {
            b.append(',');
          }
          first = false;
          string(e.getKey(), b);
          b.append(':');
          write(e.getValue(), b);
        }
        b.append('}');
      }
      case ARRAY -> {
        b.append('[');
        for (int i = 0; i < n.size(); i++) {
          if (i > 0) {
            b.append(',');
          }
          write(n.get(i), b);
        }
        b.append(']');
      }
      case STRING -> string(n.textValue(), b);
      case BOOLEAN -> b.append(n.booleanValue());
      case NULL -> b.append("null");
      case NUMBER -> {
        if (n.isInt() || n.isLong()) {
          b.append(n.longValue());
        } else if (n.isDouble()) {
          b.append(n.doubleValue());
        } else {
          b.append(n); // BigInteger, BigDecimal, float: Jackson's own text
        }
      }
      default -> b.append(n);
    }
  }

  /** A JSON string, escaped as Jackson escapes it (quote, backslash, control characters). */
  private static void string(String s, StringBuilder b) {
    b.append('"');
    int from = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      b.append(s, from, i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
      from = i + 1;
    }
    b.append(s, from, s.length()).append('"');
  }
}
