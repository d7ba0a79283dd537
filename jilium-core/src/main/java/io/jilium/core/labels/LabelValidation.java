package io.jilium.core.labels;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Kubernetes' rules for label keys and values (apimachinery's IsQualifiedName and
 * IsValidLabelValue).
 */
public final class LabelValidation {
  private static final Pattern NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private LabelValidation() {}

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
      if (!DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
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
    if (!NAME.matcher(name).matches()) {
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
    if (!NAME.matcher(value).matches()) {
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
