package io.jilium.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.core.identity.Identity;
import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.Labels;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SelectorCacheTest {
  private final SelectorCache cache = new SelectorCache();
  private static final LabelSelector WEB = LabelSelector.matchLabels(Map.of("app", "web"));
  private static final LabelSelector DB = LabelSelector.matchLabels(Map.of("app", "db"));

  private static Identity id(int id, String app) {
    return new Identity(id, Labels.of(Label.k8s("app", app)));
  }

  @Test
  void selectionsAreComputedOnFirstUse() {
    cache.upsertIdentity(id(256, "web"));
    cache.upsertIdentity(id(257, "db"));
    cache.upsertIdentity(id(258, "web"));

    assertThat(cache.selections(WEB)).containsExactly(256, 258);
    assertThat(cache.selections(LabelSelector.ALL)).containsExactly(256, 257, 258);
    assertThat(cache.selectorCount()).isEqualTo(2);
    assertThat(cache.identityCount()).isEqualTo(3);
    assertThatThrownBy(() -> cache.selections(WEB).add(1))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void upsertReportsTheSelectorsWhoseSelectionChanged() {
    cache.selections(WEB);
    cache.selections(DB);

    assertThat(cache.upsertIdentity(id(256, "web"))).containsExactly(WEB);
    assertThat(cache.selections(WEB)).containsExactly(256);
    assertThat(cache.upsertIdentity(id(256, "web"))).as("no change").isEmpty();
    // relabelled: leaves WEB, joins DB
    assertThat(cache.upsertIdentity(id(256, "db"))).containsExactlyInAnyOrder(WEB, DB);
    assertThat(cache.selections(WEB)).isEmpty();
    assertThat(cache.selections(DB)).containsExactly(256);
    assertThat(cache.labels(256)).isEqualTo(Labels.of(Label.k8s("app", "db")));
  }

  @Test
  void removeReportsTheSelectorsThatHadSelectedIt() {
    cache.upsertIdentity(id(256, "web"));
    cache.upsertIdentity(id(257, "db"));
    cache.selections(WEB);
    cache.selections(DB);

    assertThat(cache.removeIdentity(256)).containsExactly(WEB);
    assertThat(cache.selections(WEB)).isEmpty();
    assertThat(cache.removeIdentity(256)).isEmpty();
    assertThat(cache.removeIdentity(999)).isEmpty();
    assertThat(cache.labels(256)).isNull();
  }

  @Test
  void retainSelectorsForgetsUnusedOnes() {
    cache.selections(WEB);
    cache.selections(DB);
    cache.retainSelectors(Set.of(DB));

    assertThat(cache.selectorCount()).isEqualTo(1);
    assertThat(cache.upsertIdentity(id(256, "web"))).isEmpty();
    assertThat(cache.selections(WEB)).as("recomputed on use").containsExactly(256);
  }

  @Test
  void equalSelectorsShareOneEntry() {
    cache.upsertIdentity(id(256, "web"));
    cache.selections(LabelSelector.matchLabels(Map.of("app", "web")));
    cache.selections(LabelSelector.matchLabels(Map.of("any:app", "web")));

    assertThat(cache.selectorCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void incrementalSelectionsEqualAFreshScan(long seed) {
    Random rnd = new Random(seed);
    List<LabelSelector> selectors =
        List.of(WEB, DB, LabelSelector.ALL, LabelSelector.matchLabels(Map.of("k8s:zone", "a")));
    selectors.forEach(cache::selections);
    Map<Integer, Labels> truth = new HashMap<>();
    for (int step = 0; step < 300; step++) {
      int id = 256 + rnd.nextInt(15);
      if (rnd.nextInt(4) == 0) {
        cache.removeIdentity(id);
        truth.remove(id);
      } else {
        Labels l =
            Labels.of(
                Label.k8s("app", rnd.nextBoolean() ? "web" : "db"),
                Label.k8s("zone", rnd.nextBoolean() ? "a" : "b"));
        cache.upsertIdentity(new Identity(id, l));
        truth.put(id, l);
      }
      for (LabelSelector s : selectors) {
        TreeSet<Integer> expected = new TreeSet<>();
        truth.forEach(
            (i, l) -> {
              if (s.matches(l)) {
                expected.add(i);
              }
            });
        assertThat(cache.selections(s))
            .as("%s at step %d", s, step)
            .containsExactlyElementsOf(expected);
      }
    }
  }
}
