package io.jilium.core.labels;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Kubernetes label selector ({@code matchLabels} + {@code matchExpressions}) with Cilium's source
 * semantics: a key written {@code k8s:app} matches only labels of source k8s, a key without a
 * source ({@code app}, or {@code any:app}) matches that key from any source. All requirements must
 * hold; an empty selector matches everything. Immutable, with value equality, so equal selectors
 * share one cache entry.
 */
public final class LabelSelector {
  /** The operators of {@code matchExpressions}. */
  public enum Operator {
    IN("In"),
    NOT_IN("NotIn"),
    EXISTS("Exists"),
    DOES_NOT_EXIST("DoesNotExist");

    private final String k8sName;

    Operator(String k8sName) {
      this.k8sName = k8sName;
    }

    public String k8sName() {
      return k8sName;
    }

    public static Operator fromK8sName(String s) {
      for (Operator o : values()) {
        if (o.k8sName.equals(s)) {
          return o;
        }
      }
      throw new IllegalArgumentException(s);
    }
  }

  /** One requirement on the label {@code source:key}. Values are sorted. */
  public record Requirement(String source, String key, Operator operator, Set<String> values)
      implements Comparable<Requirement> {
    public Requirement {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(key, "key");
      values = Set.copyOf(new TreeSet<>(values));
    }

    boolean matches(Labels labels) {
      var found = labels.get(source, key);
      return switch (operator) {
        case IN -> found.isPresent() && values.contains(found.get().value());
        case NOT_IN -> found.isEmpty() || !values.contains(found.get().value());
        case EXISTS -> found.isPresent();
        case DOES_NOT_EXIST -> found.isEmpty();
      };
    }

    /** The key as written in YAML: {@code k8s:app}, or {@code app} for any source. */
    public String displayKey() {
      return Label.SOURCE_ANY.equals(source) ? key : source + ":" + key;
    }

    @Override
    public int compareTo(Requirement o) {
      return Comparator.comparing(Requirement::key)
          .thenComparing(Requirement::source)
          .thenComparing(Requirement::operator)
          .thenComparing(r -> new TreeSet<>(r.values()).toString())
          .compare(this, o);
    }

    @Override
    public String toString() {
      return switch (operator) {
        case IN ->
            values.size() == 1
                ? displayKey() + "=" + values.iterator().next()
                : displayKey() + " in (" + String.join(",", new TreeSet<>(values)) + ")";
        case NOT_IN -> displayKey() + " notin (" + String.join(",", new TreeSet<>(values)) + ")";
        case EXISTS -> displayKey();
        case DOES_NOT_EXIST -> "!" + displayKey();
      };
    }
  }

  public static final LabelSelector ALL = new LabelSelector(List.of());

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    List<Requirement> sorted = new ArrayList<>(new TreeSet<>(requirements));
    this.requirements = List.copyOf(sorted);
  }

  public static LabelSelector of(List<Requirement> requirements) {
    return requirements.isEmpty() ? ALL : new LabelSelector(requirements);
  }

  /** A selector from {@code matchLabels}; keys may carry a source prefix. */
  public static LabelSelector matchLabels(Map<String, String> matchLabels) {
    List<Requirement> reqs = new ArrayList<>();
    new TreeMap<>(matchLabels).forEach((k, v) -> reqs.add(requirement(k, Operator.IN, Set.of(v))));
    return of(reqs);
  }

  /** Builds a requirement from a key as written in a selector ({@code k8s:app} or {@code app}). */
  public static Requirement requirement(String writtenKey, Operator op, Set<String> values) {
    String source = Label.SOURCE_ANY;
    String key = writtenKey;
    int colon = writtenKey.indexOf(':');
    if (colon > 0) {
      source = writtenKey.substring(0, colon);
      key = writtenKey.substring(colon + 1);
      if (source.equals(Label.SOURCE_UNSPEC)) {
        source = Label.SOURCE_ANY;
      }
    }
    return new Requirement(source, key, op, values);
  }

  public LabelSelector and(List<Requirement> more) {
    List<Requirement> all = new ArrayList<>(requirements);
    all.addAll(more);
    return of(all);
  }

  public List<Requirement> requirements() {
    return requirements;
  }

  public boolean isEmpty() {
    return requirements.isEmpty();
  }

  public boolean matches(Labels labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** True when some requirement concerns this key of any source or {@code source}. */
  public boolean mentionsKey(String key) {
    return requirements.stream().anyMatch(r -> r.key().equals(key));
  }

  public boolean mentionsKeyPrefix(String prefix) {
    return requirements.stream().anyMatch(r -> r.key().startsWith(prefix));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelSelector s && requirements.equals(s.requirements);
  }

  @Override
  public int hashCode() {
    return requirements.hashCode();
  }

  @Override
  public String toString() {
    if (requirements.isEmpty()) {
      return "{}";
    }
    List<String> parts = new ArrayList<>();
    for (Requirement r : requirements) {
      parts.add(r.toString());
    }
    return String.join(",", parts);
  }
}
