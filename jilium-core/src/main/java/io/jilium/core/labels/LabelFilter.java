package io.jilium.core.labels;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides which labels take part in identity, as Cilium's default label filter does: a label is
 * kept unless an exclude pattern matches it, and an exclude is overridden by an include whose match
 * is longer (so {@code io.kubernetes.pod.namespace} survives the {@code io.kubernetes} exclude);
 * lengths are those of the matched text, not of the patterns. Patterns are regular expressions
 * anchored at the start of the key; a pattern without a source applies to every source.
 */
public final class LabelFilter {
  private record Entry(String source, Pattern pattern, boolean exclude) {
    /** The length of the match at the start of the key (as Cilium counts it), or -1. */
    int matchLength(Label l) {
      if (!source.isEmpty() && !source.equals(l.source())) {
        return -1;
      }
      Matcher m = pattern.matcher(l.key());
      return m.lookingAt() ? m.end() : -1;
    }
  }

  private static final List<String> DEFAULTS =
      List.of(
          "reserved:.*",
          "io\\.kubernetes\\.pod\\.namespace",
          "io\\.cilium\\.k8s\\.namespace\\.labels",
          "app\\.kubernetes\\.io",
          "!io\\.kubernetes",
          "!kubernetes\\.io",
          "!statefulset\\.kubernetes\\.io/pod-name",
          "!apps\\.kubernetes\\.io/pod-index",
          "!batch\\.kubernetes\\.io/job-completion-index",
          "!batch\\.kubernetes\\.io/controller-uid",
          "!.*beta\\.kubernetes\\.io",
          "!k8s\\.io",
          "!pod-template-generation",
          "!pod-template-hash",
          "!controller-revision-hash",
          "!controller-uid",
          "!annotation.*",
          "!etcd_node");

  private static final LabelFilter DEFAULT = new LabelFilter(DEFAULTS);

  private final List<Entry> entries;

  private LabelFilter(List<String> specs) {
    List<Entry> list = new ArrayList<>();
    for (String spec : specs) {
      String source = "";
      String rest = spec;
      int colon = spec.indexOf(':');
      if (colon >= 0) {
        source = spec.substring(0, colon);
        rest = spec.substring(colon + 1);
      }
      boolean exclude = rest.startsWith("!");
      if (exclude) {
        rest = rest.substring(1);
      }
      list.add(new Entry(source, Pattern.compile(rest), exclude));
    }
    this.entries = List.copyOf(list);
  }

  /** Cilium's default filter. */
  public static LabelFilter defaults() {
    return DEFAULT;
  }

  public boolean isIdentityRelevant(Label label) {
    int included = 0;
    int ignored = 0;
    for (Entry e : entries) {
      int length = e.matchLength(label);
      if (length < 0) {
        continue;
      }
      if (e.exclude()) {
        ignored = ignored == 0 ? length : Math.min(ignored, length);
      } else {
        included = Math.max(included, length);
      }
    }
    return ignored == 0 || included > ignored;
  }

  /** The identity-relevant subset of {@code labels}. */
  public Labels filter(Labels labels) {
    List<Label> kept = new ArrayList<>(labels.size());
    for (Label l : labels) {
      if (isIdentityRelevant(l)) {
        kept.add(l);
      }
    }
    return kept.size() == labels.size() ? labels : Labels.of(kept);
  }
}
