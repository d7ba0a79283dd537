package io.jilium.core.labels;

import java.util.Optional;

/**
 * Kubernetes' rules for label keys and values (apimachinery's IsQualifiedName and
 * IsValidLabelValue).
 */
public final class LabelValidation {
  // The rules are checked character by character, not with regular expressions: every Service,
  // EndpointSlice and pod label goes through them, by the ten thousand in one apply.

  private LabelValidation() {}

  /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?} (a DNS-1123 label, without its length limit). */
  public static boolean isDns1123Label(String s) {
    return isDns1123LabelPart(s, 0, s.length());
  }

  /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*}, no length limit. */
  public static boolean isDns1123Subdomain(String s) {
    int from = 0;
    while (true) {
      int dot = s.indexOf('.', from);
      int end = dot < 0 ? s.length() : dot;
      if (!isDns1123LabelPart(s, from, end)) {
        return false;
      }
      if (dot < 0) {
        return true;
      }
      from = dot + 1;
    }
  }

  private static boolean isDns1123LabelPart(String s, int from, int end) {
    if (end <= from || !isLowerAlnum(s.charAt(from)) || !isLowerAlnum(s.charAt(end - 1))) {
      return false;
    }
    for (int i = from + 1; i < end - 1; i++) {
      char c = s.charAt(i);
      if (c != '-' && !isLowerAlnum(c)) {
        return false;
      }
    }
    return true;
  }

  /** {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]}: a label value or a key's name part. */
  static boolean isQualifiedNamePart(String s) {
    int n = s.length();
    if (n == 0 || !isAlnum(s.charAt(0)) || !isAlnum(s.charAt(n - 1))) {
      return false;
    }
    for (int i = 1; i < n - 1; i++) {
      char c = s.charAt(i);
      if (c != '-' && c != '_' && c != '.' && !isAlnum(c)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLowerAlnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  }

  private static boolean isAlnum(char c) {
    return isLowerAlnum(c) || (c >= 'A' && c <= 'Z');
  }

  /** Why {@code key} is not a valid label key, or empty when it is. */
  public static Optional<String> keyError(String key) {
    String[] parts = key.split("/", -1);
    String name;
    if (parts.length == 1) {
      name = parts[0];
    } else if (parts.length == 2) {
      String prefix = parts[0];
      name = parts[1];
      if (prefix.isEmpty()) {
        return Optional.of("prefix part must be non-empty");
      }
      if (prefix.length() > 253) {
        return Optional.of("prefix part must be no more than 253 characters");
      }
      if (!isDns1123Subdomain(prefix)) {
        return Optional.of(
            "prefix part must be a lowercase DNS subdomain (letters, digits, '-' and '.', starting"
                + " and ending with a letter or digit)");
      }
    } else {
      return Optional.of(
          "a qualified name must consist of an optional DNS subdomain prefix and a name separated"
              + " by one '/'");
    }
    if (name.isEmpty()) {
      return Optional.of("name part must be non-empty");
    }
    if (name.length() > 63) {
      return Optional.of("name part must be no more than 63 characters");
    }
    if (!isQualifiedNamePart(name)) {
      return Optional.of(
          "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and"
              + " end with an alphanumeric character");
    }
    return Optional.empty();
  }

  /** Why {@code value} is not a valid label value, or empty when it is. */
  public static Optional<String> valueError(String value) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    if (value.length() > 63) {
      return Optional.of("must be no more than 63 characters");
    }
    if (!isQualifiedNamePart(value)) {
      return Optional.of(
          "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start"
              + " and end with an alphanumeric character");
    }
    return Optional.empty();
  }

  /** Throws {@link InvalidLabelException} naming the label and the rule it breaks. */
  public static void check(String key, String value) {
    keyError(key)
        .ifPresent(
            e -> {
              throw new InvalidLabelException("invalid label key \"" + key + "\": " + e);
            });
    valueError(value)
        .ifPresent(
            e -> {
              throw new InvalidLabelException(
                  "invalid label value \"" + value + "\" for key \"" + key + "\": " + e);
            });
  }
}
