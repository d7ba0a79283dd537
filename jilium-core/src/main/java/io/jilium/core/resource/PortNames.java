package io.jilium.core.resource;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Named ports are IANA service names (RFC 6335), as Kubernetes' IsValidPortName and Cilium's
 * iana.IsSvcName check them.
 */
final class PortNames {
  static final String FORM =
      "a port name: at most 15 lowercase letters, digits and '-', with a letter, no '-' at either"
          + " end and no \"--\"";
  private static final Pattern CHARS = Pattern.compile("[a-z0-9-]+");
  private static final Pattern LETTER = Pattern.compile(".*[a-z].*");

  private PortNames() {}

  /** Why {@code name} is not an IANA service name, or empty when it is one. */
  static Optional<String> error(String name) {
    if (name.isEmpty()) {
      return Optional.of("must not be empty");
    }
    if (name.length() > 15) {
      return Optional.of("must be no more than 15 characters");
    }
    if (!CHARS.matcher(name).matches()) {
      return Optional.of("must contain only lowercase letters, digits and '-'");
    }
    if (name.contains("--")) {
      return Optional.of("must not contain consecutive hyphens");
    }
    if (name.startsWith("-") || name.endsWith("-")) {
      return Optional.of("must not begin or end with a hyphen");
    }
    if (!LETTER.matcher(name).matches()) {
      return Optional.of("must contain at least one letter");
    }
    return Optional.empty();
  }
}
