package io.jilium.core.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LabelSelectorTest {
  private static final Labels WEB_K8S =
      Labels.of(Label.k8s("app", "web"), Label.k8s("io.kubernetes.pod.namespace", "default"));
  private static final Labels WEB_CONTAINER = Labels.of(new Label("container", "app", "web"));
  private static final Labels HOST = Labels.of(Label.reserved("host"));

  private static LabelSelector sel(String key, Operator op, String... values) {
    return LabelSelector.of(List.of(LabelSelector.requirement(key, op, Set.of(values))));
  }

  @Test
  void matchLabelsWithSourceMatchesOnlyThatSource() {
    LabelSelector s = LabelSelector.matchLabels(Map.of("k8s:app", "web"));

    assertThat(s.matches(WEB_K8S)).isTrue();
    assertThat(s.matches(WEB_CONTAINER)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"app", "any:app", "unspec:app"})
  void keyWithoutSourceOrWithAnyMatchesEverySource(String key) {
    LabelSelector s = LabelSelector.matchLabels(Map.of(key, "web"));

    assertThat(s.matches(WEB_K8S)).isTrue();
    assertThat(s.matches(WEB_CONTAINER)).isTrue();
    assertThat(s.matches(Labels.of(Label.k8s("app", "db")))).isFalse();
    assertThat(s).isEqualTo(LabelSelector.matchLabels(Map.of("app", "web")));
  }

  @Test
  void allMatchLabelsMustHold() {
    LabelSelector s = LabelSelector.matchLabels(Map.of("app", "web", "tier", "front"));

    assertThat(s.matches(WEB_K8S)).isFalse();
    assertThat(s.matches(WEB_K8S.with(List.of(Label.k8s("tier", "front"))))).isTrue();
    assertThat(s.matches(WEB_K8S.with(List.of(Label.k8s("tier", "back"))))).isFalse();
  }

  @ParameterizedTest(name = "{0} {1} {2} on {3} -> {4}")
  @CsvSource(
      delimiter = '|',
      value = {
        // Kubernetes semantics, labels.Requirement.Matches
        "app | In           | web,db | k8s:app=web | true",
        "app | In           | web,db | k8s:app=api | false",
        "app | In           | web,db | k8s:zone=a  | false",
        "app | NotIn        | web,db | k8s:app=web | false",
        "app | NotIn        | web,db | k8s:app=api | true",
        "app | NotIn        | web,db | k8s:zone=a  | true", // absent key: NotIn matches
        "app | Exists       | ''     | k8s:app=web | true",
        "app | Exists       | ''     | k8s:app     | true",
        "app | Exists       | ''     | k8s:zone=a  | false",
        "app | DoesNotExist | ''     | k8s:app=web | false",
        "app | DoesNotExist | ''     | k8s:zone=a  | true",
        "k8s:app | Exists       | '' | container:app=web | false",
        "k8s:app | DoesNotExist | '' | container:app=web | true",
        "k8s:app | NotIn     | web   | container:app=web | true",
        "reserved:host | Exists | '' | reserved:host | true",
        "reserved:host | Exists | '' | k8s:host      | false",
      })
  void expressions(String key, String op, String values, String label, boolean expected) {
    Set<String> vs = values.isEmpty() ? Set.of() : Set.of(values.split(","));
    LabelSelector s =
        LabelSelector.of(List.of(LabelSelector.requirement(key, Operator.fromK8sName(op), vs)));

    assertThat(s.matches(Labels.parse(List.of(label)))).isEqualTo(expected);
  }

  @Test
  void emptySelectorMatchesEverything() {
    LabelSelector empty = LabelSelector.of(List.of());

    assertThat(empty).isSameAs(LabelSelector.ALL);
    assertThat(empty.isEmpty()).isTrue();
    assertThat(LabelSelector.matchLabels(Map.of())).isEqualTo(LabelSelector.ALL);
    assertThat(empty.matches(Labels.EMPTY)).isTrue();
    assertThat(empty.matches(WEB_K8S)).isTrue();
    assertThat(empty.matches(HOST)).isTrue();
    assertThat(empty.toString()).isEqualTo("{}");
  }

  @Test
  void matchLabelsEqualsTheSameInExpression() {
    assertThat(LabelSelector.matchLabels(Map.of("k8s:app", "web")))
        .isEqualTo(sel("k8s:app", Operator.IN, "web"))
        .hasSameHashCodeAs(sel("k8s:app", Operator.IN, "web"));
  }

  @ParameterizedTest
  @ValueSource(longs = {11, 12, 13, 14})
  void equalSelectorsAreEqualWhateverTheOrderOfRequirementsAndValues(long seed) {
    Random rnd = new Random(seed);
    List<Requirement> reqs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Operator op = Operator.values()[rnd.nextInt(4)];
      List<String> values = new ArrayList<>();
      if (op == Operator.IN || op == Operator.NOT_IN) {
        for (int v = 0; v <= rnd.nextInt(4); v++) {
          values.add("v" + rnd.nextInt(10));
        }
      }
      String key = (rnd.nextBoolean() ? "k8s:" : "") + "key" + rnd.nextInt(5);
      reqs.add(LabelSelector.requirement(key, op, Set.copyOf(values)));
    }
    List<Requirement> shuffled = new ArrayList<>();
    for (Requirement r : reqs) {
      List<String> vs = new ArrayList<>(r.values());
      Collections.shuffle(vs, rnd);
      shuffled.add(
          new Requirement(r.source(), r.key(), r.operator(), new java.util.LinkedHashSet<>(vs)));
    }
    Collections.shuffle(shuffled, rnd);

    LabelSelector a = LabelSelector.of(reqs);
    LabelSelector b = LabelSelector.of(shuffled);

    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(b.toString()).isEqualTo(a.toString());
  }

  @Test
  void differentSelectorsAreNotEqual() {
    assertThat(sel("app", Operator.IN, "web")).isNotEqualTo(sel("app", Operator.IN, "db"));
    assertThat(sel("app", Operator.IN, "web")).isNotEqualTo(sel("k8s:app", Operator.IN, "web"));
    assertThat(sel("app", Operator.IN, "web")).isNotEqualTo(sel("app", Operator.NOT_IN, "web"));
    assertThat(sel("app", Operator.EXISTS)).isNotEqualTo(sel("app", Operator.DOES_NOT_EXIST));
    assertThat(sel("app", Operator.EXISTS)).isNotEqualTo(LabelSelector.ALL);
  }

  @Test
  void andAddsRequirements() {
    LabelSelector s =
        LabelSelector.matchLabels(Map.of("app", "web"))
            .and(
                List.of(
                    new Requirement(
                        "k8s", "io.kubernetes.pod.namespace", Operator.IN, Set.of("other"))));

    assertThat(s.requirements()).hasSize(2);
    assertThat(s.matches(WEB_K8S)).isFalse();
    assertThat(s.mentionsKey("io.kubernetes.pod.namespace")).isTrue();
    assertThat(s.mentionsKey("zone")).isFalse();
  }

  @Test
  void printsLikeKubernetes() {
    Map<String, String> ml = new LinkedHashMap<>();
    ml.put("k8s:app", "web");
    LabelSelector s =
        LabelSelector.matchLabels(ml)
            .and(
                List.of(
                    LabelSelector.requirement("tier", Operator.NOT_IN, Set.of("b", "a")),
                    LabelSelector.requirement("zone", Operator.DOES_NOT_EXIST, Set.of())));

    assertThat(s.toString()).isEqualTo("k8s:app=web,tier notin (a,b),!zone");
  }

  @Test
  void operatorNamesAreKubernetesNames() {
    assertThat(Operator.fromK8sName("In")).isEqualTo(Operator.IN);
    assertThat(Operator.fromK8sName("NotIn")).isEqualTo(Operator.NOT_IN);
    assertThat(Operator.fromK8sName("Exists")).isEqualTo(Operator.EXISTS);
    assertThat(Operator.fromK8sName("DoesNotExist")).isEqualTo(Operator.DOES_NOT_EXIST);
    assertThatIllegalArgumentException().isThrownBy(() -> Operator.fromK8sName("in"));
    assertThatIllegalArgumentException().isThrownBy(() -> Operator.fromK8sName("Equals"));
  }
}
