package io.jilium.core.policy;

import java.util.Comparator;

/** A rule inside a policy resource: the resource and the rule's path in it. */
public record RuleRef(RuleOrigin origin, String path) implements Comparable<RuleRef> {
  private static final Comparator<RuleRef> ORDER =
      Comparator.comparing(RuleRef::origin).thenComparing(RuleRef::path);

  @Override
  public int compareTo(RuleRef o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return path.isEmpty() ? origin.toString() : origin + " " + path;
  }
}
