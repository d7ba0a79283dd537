package io.jilium.core.labels;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * An immutable, sorted set of labels with at most one label per (source, key). Equal sets are equal
 * objects: they key identities.
 */
public final class Labels implements Iterable<Label> {
  public static final Labels EMPTY = new Labels(List.of());

  private final List<Label> sorted;
  private final int hash;

  private Labels(List<Label> sorted) {
    this.sorted = sorted;
    this.hash = sorted.hashCode();
  }

  public static Labels of(Collection<Label> labels) {
    TreeSet<Label> set = new TreeSet<>(labels);
    List<Label> list = new ArrayList<>(set.size());
    Label prev = null;
    for (Label l : set) {
      if (prev != null && prev.source().equals(l.source()) && prev.key().equals(l.key())) {
        throw new IllegalArgumentException(
            "label " + l.source() + ":" + l.key() + " given twice (" + prev + ", " + l + ")");
      }
      list.add(l);
      prev = l;
    }
    return new Labels(Collections.unmodifiableList(list));
  }

  public static Labels of(Label... labels) {
    return of(List.of(labels));
  }

  /** Labels of one source from a plain key/value map. */
  public static Labels fromMap(String source, Map<String, String> map) {
    List<Label> list = new ArrayList<>(map.size());
    map.forEach((k, v) -> list.add(new Label(source, k, v)));
    return of(list);
  }

  /** Parses labels as printed by {@link #toString()} or a list of {@code source:key=value}. */
  public static Labels parse(List<String> labels) {
    List<Label> list = new ArrayList<>(labels.size());
    for (String s : labels) {
      list.add(Label.parse(s, Label.SOURCE_UNSPEC));
    }
    return of(list);
  }

  public Labels with(Collection<Label> more) {
    List<Label> all = new ArrayList<>(sorted);
    all.addAll(more);
    return of(all);
  }

  public List<Label> asList() {
    return sorted;
  }

  public int size() {
    return sorted.size();
  }

  public boolean isEmpty() {
    return sorted.isEmpty();
  }

  /** The label with this key: of this source, or of any source when {@code source} is any. */
  public Optional<Label> get(String source, String key) {
    boolean any = source.equals(Label.SOURCE_ANY) || source.equals(Label.SOURCE_UNSPEC);
    for (Label l : sorted) {
      if (l.key().equals(key) && (any || l.source().equals(source))) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  public boolean contains(Label selectorTerm) {
    for (Label l : sorted) {
      if (selectorTerm.matches(l)) {
        return true;
      }
    }
    return false;
  }

  public boolean hasSource(String source) {
    return sorted.stream().anyMatch(l -> l.source().equals(source));
  }

  public List<String> toStrings() {
    List<String> out = new ArrayList<>(sorted.size());
    for (Label l : sorted) {
      out.add(l.toString());
    }
    return out;
  }

  @Override
  public Iterator<Label> iterator() {
    return sorted.iterator();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Labels other && hash == other.hash && sorted.equals(other.sorted);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return String.join(",", toStrings());
  }
}
