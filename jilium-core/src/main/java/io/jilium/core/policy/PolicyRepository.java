package io.jilium.core.policy;

import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.Labels;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules in force, grouped by the policy resource they came from, with a revision that increases
 * on every change. Not thread-safe: owned by the control loop.
 */
public final class PolicyRepository {
  private final Map<RuleOrigin, List<Rule>> byOrigin = new LinkedHashMap<>();
  private long revision = 1;

  /** Replaces the rules of {@code origin} (adds them when new). Returns the new revision. */
  public long replace(RuleOrigin origin, List<Rule> rules) {
    byOrigin.put(origin, List.copyOf(rules));
    return ++revision;
  }

  /** Removes the rules of {@code origin}; returns the new revision, or the same when absent. */
  public long delete(RuleOrigin origin) {
    if (byOrigin.remove(origin) != null) {
      revision++;
    }
    return revision;
  }

  public long revision() {
    return revision;
  }

  /** Restores the revision counter after a restart so revisions never go backwards. */
  public void restoreRevision(long r) {
    revision = Math.max(revision, r);
  }

  public boolean contains(RuleOrigin origin) {
    return byOrigin.containsKey(origin);
  }

  public List<Rule> rules(RuleOrigin origin) {
    return byOrigin.getOrDefault(origin, List.of());
  }

  public Set<RuleOrigin> origins() {
    return byOrigin.keySet();
  }

  public int size() {
    return byOrigin.size();
  }

  /** Rules whose subject selects {@code subject}. */
  public List<Rule> rulesSelecting(Labels subject) {
    List<Rule> out = new ArrayList<>();
    for (List<Rule> rules : byOrigin.values()) {
      for (Rule r : rules) {
        if (r.subject().matches(subject)) {
          out.add(r);
        }
      }
    }
    return out;
  }

  /** Every peer selector any rule uses. */
  public Set<LabelSelector> peerSelectors() {
    Set<LabelSelector> all = new HashSet<>();
    for (List<Rule> rules : byOrigin.values()) {
      for (Rule r : rules) {
        for (Direction d : Direction.values()) {
          for (boolean deny : new boolean[] {false, true}) {
            for (PeerRule pr : r.rules(d, deny)) {
              all.addAll(pr.peers());
            }
          }
        }
      }
    }
    return all;
  }
}
