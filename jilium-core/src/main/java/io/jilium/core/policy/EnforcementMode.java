package io.jilium.core.policy;

/** {@code --policy-enforcement}: as Cilium's option of the same name. */
public enum EnforcementMode {
  /** Default-deny in a direction once a rule selecting the endpoint covers that direction. */
  DEFAULT,
  /** Default-deny in both directions for every endpoint, even without rules. */
  ALWAYS,
  /** No enforcement: everything is allowed. */
  NEVER;

  public static EnforcementMode parse(String s) {
    return switch (s) {
      case "default" -> DEFAULT;
      case "always" -> ALWAYS;
      case "never" -> NEVER;
      default ->
          throw new IllegalArgumentException(
              "policy enforcement \"" + s + "\" (expected: default, always or never)");
    };
  }

  public String flagValue() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
