package io.jilium.core.policy;

import java.util.Comparator;

/** Where a rule came from: the policy resource (kind, namespace, name). */
public record RuleOrigin(String kind, String namespace, String name)
    implements Comparable<RuleOrigin> {
  private static final Comparator<RuleOrigin> ORDER =
      Comparator.comparing(RuleOrigin::kind)
          .thenComparing(RuleOrigin::namespace)
          .thenComparing(RuleOrigin::name);

  /** Reserved origin of entries the agent adds by itself (allow-all, localhost). */
  public static RuleOrigin agent(String what) {
    return new RuleOrigin("reserved", "", what);
  }

  public String qualifiedName() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }

  @Override
  public int compareTo(RuleOrigin o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return kind + " " + qualifiedName();
  }
}
