package io.jilium.core.resource;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A JSON object being read, with its field path. Readers name the fields they accept; any other
 * field is an error, as in {@code kubectl apply --validate=strict}.
 */
final class Fields {
  private final JsonNode node;
  private final String path;

  private Fields(JsonNode node, String path) {
    this.node = node;
    this.path = path;
  }

  static Fields of(JsonNode node, String path) {
    if (node == null || !node.isObject()) {
      throw new FieldException(
          path.isEmpty() ? "(document)" : path, "expected an object, got " + describe(node));
    }
    return new Fields(node, path);
  }

  String path() {
    return path;
  }

  String path(String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  JsonNode raw() {
    return node;
  }

  /** Fails on the first field not in {@code allowed}. */
  void only(Set<String> allowed) {
    Iterator<String> names = node.fieldNames();
    while (names.hasNext()) {
      String n = names.next();
      if (!allowed.contains(n)) {
        throw new FieldException(
            path(n), "unknown field (expected one of: " + String.join(", ", sorted(allowed)) + ")");
      }
    }
  }

  boolean has(String field) {
    JsonNode v = node.get(field);
    return v != null && !v.isNull();
  }

  /** Present, even if null or empty ({@code ingress: []} differs from no ingress). */
  boolean present(String field) {
    return node.has(field);
  }

  Optional<Fields> object(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    return Optional.of(of(v, path(field)));
  }

  Fields requireObject(String field) {
    return object(field)
        .orElseThrow(() -> new FieldException(path(field), "required field is missing"));
  }

  /** A list of objects; missing or null is empty. */
  List<Fields> objects(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new FieldException(path(field), "expected a list, got " + describe(v));
    }
    List<Fields> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      out.add(of(v.get(i), path(field) + "[" + i + "]"));
    }
    return out;
  }

  Optional<String> string(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isTextual()) {
      throw new FieldException(path(field), "expected a string, got " + describe(v));
    }
    return Optional.of(v.asText());
  }

  String requireString(String field) {
    return string(field)
        .orElseThrow(() -> new FieldException(path(field), "required field is missing"));
  }

  /** A string or a number, as text (ports may be written either way). */
  Optional<String> scalar(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (v.isTextual() || v.isIntegralNumber()) {
      return Optional.of(v.asText());
    }
    throw new FieldException(path(field), "expected a string or a number, got " + describe(v));
  }

  /**
   * An integer from {@code min} to {@code max}; outside (however large) it is an error naming
   * {@code expected}.
   */
  Optional<Integer> integer(String field, int min, int max, String expected) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isIntegralNumber()) {
      throw new FieldException(path(field), "expected an integer, got " + describe(v));
    }
    if (!v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
      throw new FieldException(path(field), v.asText() + " (expected: " + expected + ")");
    }
    return Optional.of(v.asInt());
  }

  Optional<Boolean> bool(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Optional.empty();
    }
    if (!v.isBoolean()) {
      throw new FieldException(path(field), "expected true or false, got " + describe(v));
    }
    return Optional.of(v.asBoolean());
  }

  List<String> strings(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (!v.isArray()) {
      throw new FieldException(path(field), "expected a list of strings, got " + describe(v));
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      JsonNode e = v.get(i);
      if (!e.isTextual()) {
        throw new FieldException(
            path(field) + "[" + i + "]", "expected a string, got " + describe(e));
      }
      out.add(e.asText());
    }
    return out;
  }

  /** A map of strings ({@code labels}, {@code matchLabels}); missing is empty. */
  Map<String, String> stringMap(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw new FieldException(path(field), "expected a map of strings, got " + describe(v));
    }
    Map<String, String> out = new LinkedHashMap<>();
    var it = v.fields();
    while (it.hasNext()) {
      var e = it.next();
      JsonNode val = e.getValue();
      if (val.isNull()) {
        out.put(e.getKey(), "");
      } else if (val.isTextual() || val.isNumber() || val.isBoolean()) {
        if (!val.isTextual()) {
          throw new FieldException(
              path(field) + "." + e.getKey(),
              "expected a string, got " + describe(val) + " (quote it: \"" + val.asText() + "\")");
        }
        out.put(e.getKey(), val.asText());
      } else {
        throw new FieldException(
            path(field) + "." + e.getKey(), "expected a string, got " + describe(val));
      }
    }
    return out;
  }

  static String describe(JsonNode n) {
    if (n == null || n.isNull()) {
      return "null";
    }
    if (n.isObject()) {
      return "an object";
    }
    if (n.isArray()) {
      return "a list";
    }
    if (n.isTextual()) {
      return "\"" + n.asText() + "\"";
    }
    return n.toString();
  }

  private static List<String> sorted(Set<String> s) {
    List<String> l = new ArrayList<>(s);
    l.sort(null);
    return l;
  }
}
