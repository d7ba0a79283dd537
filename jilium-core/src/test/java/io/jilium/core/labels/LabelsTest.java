package io.jilium.core.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabelsTest {
  @Test
  void sortsLabels() {
    Labels l = Labels.of(Label.k8s("zone", "a"), Label.reserved("host"), Label.k8s("app", "web"));

    assertThat(l.toStrings()).containsExactly("k8s:app=web", "reserved:host", "k8s:zone=a");
    assertThat(l.toString()).isEqualTo("k8s:app=web,reserved:host,k8s:zone=a");
    assertThat(l.size()).isEqualTo(3);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void equalSetsAreEqualKeysWhateverTheOrder(long seed) {
    List<Label> base = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      base.add(new Label(i % 3 == 0 ? "container" : "k8s", "key" + i, "v" + i));
    }
    List<Label> shuffled = new ArrayList<>(base);
    Collections.shuffle(shuffled, new Random(seed));

    Labels a = Labels.of(base);
    Labels b = Labels.of(shuffled);
    Map<Labels, String> identities = new HashMap<>();
    identities.put(a, "identity 256");

    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(identities).containsEntry(b, "identity 256");
    assertThat(b.asList()).isEqualTo(a.asList());
  }

  @Test
  void differentValuesOrSourcesAreDifferentSets() {
    Labels a = Labels.of(Label.k8s("app", "web"));

    assertThat(Labels.of(Label.k8s("app", "db"))).isNotEqualTo(a);
    assertThat(Labels.of(new Label("container", "app", "web"))).isNotEqualTo(a);
    assertThat(Labels.of(Label.k8s("app", "web"), Label.k8s("x", "y"))).isNotEqualTo(a);
    assertThat(Labels.EMPTY).isNotEqualTo(a).isEqualTo(Labels.of());
  }

  @Test
  void rejectsTwoValuesForOneSourceAndKey() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Labels.of(Label.k8s("app", "web"), Label.k8s("app", "db")))
        .withMessageContaining("k8s:app")
        .withMessageContaining("k8s:app=web")
        .withMessageContaining("k8s:app=db");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Labels.parse(List.of("k8s:app=web", "k8s:zone=a", "k8s:app")));
  }

  @Test
  void sameKeyFromDifferentSourcesIsAllowed() {
    Labels l = Labels.of(Label.k8s("app", "web"), new Label("container", "app", "web"));

    assertThat(l.size()).isEqualTo(2);
  }

  @Test
  void anIdenticalLabelGivenTwiceIsOneLabel() {
    // a set: only a conflicting value for the same source:key is an error
    assertThat(Labels.of(Label.k8s("app", "web"), Label.k8s("app", "web")))
        .isEqualTo(Labels.of(Label.k8s("app", "web")));
  }

  @Test
  void getFindsByExactSourceOrAnySource() {
    Labels l = Labels.of(Label.k8s("app", "web"), Label.reserved("host"));

    assertThat(l.get("k8s", "app")).contains(Label.k8s("app", "web"));
    assertThat(l.get("any", "app")).contains(Label.k8s("app", "web"));
    assertThat(l.get("unspec", "app")).contains(Label.k8s("app", "web"));
    assertThat(l.get("container", "app")).isEmpty();
    assertThat(l.get("any", "zone")).isEmpty();
    assertThat(l.contains(new Label("any", "host", ""))).isTrue();
    assertThat(l.contains(Label.k8s("host", ""))).isFalse();
    assertThat(l.hasSource("reserved")).isTrue();
    assertThat(l.hasSource("container")).isFalse();
  }

  @Test
  void parseUsesUnspecWithoutSourceAndRoundTripsToStrings() {
    Labels l = Labels.parse(List.of("k8s:app=web", "reserved:host", "team=a"));

    assertThat(l.asList())
        .containsExactly(
            Label.k8s("app", "web"), Label.reserved("host"), new Label("unspec", "team", "a"));
    assertThat(Labels.parse(l.toStrings())).isEqualTo(l);
  }

  @Test
  void fromMapAndWithBuildNewSets() {
    Labels l = Labels.fromMap("k8s", Map.of("app", "web", "zone", "a"));
    Labels more = l.with(List.of(Label.reserved("init")));

    assertThat(l.toStrings()).containsExactly("k8s:app=web", "k8s:zone=a");
    assertThat(more.toStrings()).containsExactly("k8s:app=web", "reserved:init", "k8s:zone=a");
    assertThat(l.size()).as("with() leaves the original alone").isEqualTo(2);
    assertThatThrownBy(() -> l.with(List.of(Label.k8s("app", "db"))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void isImmutable() {
    Labels l = Labels.of(Label.k8s("app", "web"));

    assertThatThrownBy(() -> l.asList().add(Label.k8s("x", "y")))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
