package io.jilium.agent.observer;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hubble's glob patterns for DNS names ({@code *.cilium.io}) and node names ({@code k8s*}, {@code
 * cluster/*.example.com}), compiled to one anchored regular expression per list. Patterns are
 * trimmed, lower-cased and lose one trailing dot; {@code *} matches any run of letters, digits,
 * {@code -} and {@code .}; only {@code [-._0-9a-z*]} (and one {@code /} for node names) are
 * allowed.
 */
final class NamePatterns {
  /** One DNS name of any length: what an empty cluster or node part of a node pattern means. */
  private static final String ANY_NAME = "(?:[-0-9_a-z]+(?:\\.[-0-9_a-z]+)*)";

  /** The cluster a node name without one belongs to (Cilium's default cluster name). */
  static final String DEFAULT_CLUSTER = "default";

  private NamePatterns() {}

  /**
   * Matches any of the DNS name patterns.
   *
   * @throws IllegalArgumentException naming the bad pattern and why
   */
  static Pattern fqdn(List<String> patterns) {
    StringBuilder sb = new StringBuilder("\\A(?:");
    for (int i = 0; i < patterns.size(); i++) {
      if (i > 0) {
        sb.append('|');
      }
      appendFqdn(sb, patterns.get(i), patterns.get(i));
    }
    return Pattern.compile(sb.append(")\\z").toString());
  }

  /**
   * Matches node names of the form {@code cluster/node} against any of the node name patterns; a
   * pattern without {@code /} matches the node in every cluster.
   */
  static Pattern nodeName(List<String> patterns) {
    StringBuilder sb = new StringBuilder("\\A(?:");
    for (int i = 0; i < patterns.size(); i++) {
      String p = patterns.get(i);
      if (i > 0) {
        sb.append('|');
      }
      if (p.isEmpty()) {
        throw new IllegalArgumentException("\"\": empty pattern");
      }
      String[] parts = p.split("/", -1);
      String cluster;
      String node;
      if (parts.length == 1) {
        cluster = "";
        node = parts[0];
      } else if (parts.length == 2) {
        cluster = parts[0];
        node = parts[1];
      } else {
        throw new IllegalArgumentException(
            "\"" + p + "\": too many slashes in pattern (expected: [CLUSTER/]NODE)");
      }
      if (cluster.isEmpty()) {
        sb.append(ANY_NAME);
      } else {
        appendFqdn(sb, cluster, p);
      }
      sb.append('/');
      if (node.isEmpty()) {
        sb.append(ANY_NAME);
      } else {
        appendFqdn(sb, node, p);
      }
    }
    return Pattern.compile(sb.append(")\\z").toString());
  }

  /** A flow's node name with the cluster made explicit, as node name patterns expect. */
  static String qualifiedNodeName(String nodeName) {
    return nodeName.indexOf('/') < 0 ? DEFAULT_CLUSTER + "/" + nodeName : nodeName;
  }

  private static void appendFqdn(StringBuilder sb, String pattern, String whole) {
    String p = pattern.strip();
    if (p.endsWith(".")) {
      p = p.substring(0, p.length() - 1);
    }
    p = p.toLowerCase(Locale.ROOT);
    if (p.isEmpty()) {
      throw new IllegalArgumentException("\"" + whole + "\": empty pattern");
    }
    if (p.endsWith(".")) {
      throw new IllegalArgumentException("\"" + whole + "\": multiple trailing dots in pattern");
    }
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c == '.') {
        sb.append("\\.");
      } else if (c == '*') {
        sb.append("[-.0-9a-z]*");
      } else if (c == '-' || c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
        sb.append(c);
      } else {
        throw new IllegalArgumentException(
            "\""
                + whole
                + "\": invalid character '"
                + c
                + "' in pattern (expected: letters, digits, '-', '_', '.' and '*')");
      }
    }
  }
}
