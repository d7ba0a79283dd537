package io.jilium.core.labels;

import java.util.Objects;

/**
 * One label: source, key and value, printed as Cilium does ({@code k8s:app=web}, {@code
 * reserved:host} when the value is empty).
 */
public record Label(String source, String key, String value) implements Comparable<Label> {
  public static final String SOURCE_K8S = "k8s";
  public static final String SOURCE_RESERVED = "reserved";
  public static final String SOURCE_ANY = "any";
  public static final String SOURCE_UNSPEC = "unspec";
  public static final String SOURCE_CIDR = "cidr";
  public static final String SOURCE_CONTAINER = "container";

  public Label {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  public static Label k8s(String key, String value) {
    return new Label(SOURCE_K8S, key, value);
  }

  public static Label reserved(String key) {
    return new Label(SOURCE_RESERVED, key, "");
  }

  /**
   * Parses {@code [source:]key[=value]}. Without a source, {@code defaultSource} is used. The
   * source ends at the first colon, the key at the first {@code =} after it.
   */
  public static Label parse(String s, String defaultSource) {
    String source = defaultSource;
    String rest = s;
    int eq = s.indexOf('=');
    int colon = s.indexOf(':');
    if (colon > 0 && (eq < 0 || colon < eq)) {
      source = s.substring(0, colon);
      rest = s.substring(colon + 1);
    }
    int e = rest.indexOf('=');
    if (e < 0) {
      return new Label(source, rest, "");
    }
    return new Label(source, rest.substring(0, e), rest.substring(e + 1));
  }

  /** True when this label, used as a selector term, matches {@code other} (any: any source). */
  public boolean matches(Label other) {
    return key.equals(other.key)
        && value.equals(other.value)
        && (isAnySource() || source.equals(other.source));
  }

  public boolean isAnySource() {
    return source.equals(SOURCE_ANY) || source.equals(SOURCE_UNSPEC);
  }

  @Override
  public int compareTo(Label o) {
    int c = key.compareTo(o.key);
    if (c != 0) {
      return c;
    }
    c = source.compareTo(o.source);
    return c != 0 ? c : value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return value.isEmpty() ? source + ":" + key : source + ":" + key + "=" + value;
  }
}
