package io.jilium.core.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelTest {
  @Test
  void parsesSourceKeyAndValue() {
    Label l = Label.parse("k8s:app=web", Label.SOURCE_UNSPEC);

    assertThat(l).isEqualTo(new Label("k8s", "app", "web"));
    assertThat(l.toString()).isEqualTo("k8s:app=web");
  }

  @Test
  void labelWithoutValuePrintsWithoutEquals() {
    Label l = Label.parse("reserved:host", Label.SOURCE_UNSPEC);

    assertThat(l).isEqualTo(Label.reserved("host"));
    assertThat(l.value()).isEmpty();
    assertThat(l.toString()).isEqualTo("reserved:host");
  }

  @Test
  void emptyValueAfterEqualsIsTheSameAsNoValue() {
    // Cilium prints source:key whenever the value is empty
    assertThat(Label.parse("k8s:app=", "x")).isEqualTo(new Label("k8s", "app", ""));
    assertThat(Label.k8s("app", "").toString()).isEqualTo("k8s:app");
  }

  @Test
  void withoutSourceTheDefaultSourceIsUsed() {
    assertThat(Label.parse("app=web", Label.SOURCE_UNSPEC))
        .isEqualTo(new Label("unspec", "app", "web"));
    assertThat(Label.parse("app", Label.SOURCE_K8S)).isEqualTo(new Label("k8s", "app", ""));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "k8s:app.kubernetes.io/name=db   | k8s       | app.kubernetes.io/name | db",
        "k8s:a=b=c                       | k8s       | a                      | b=c",
        "container:io.kubernetes.x=1     | container | io.kubernetes.x        | 1",
        "cidr:10.0.0.0/8                 | cidr      | 10.0.0.0/8             | ''",
        "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=team-a | k8s | io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name | team-a",
      })
  void parsesAtFirstColonThenFirstEquals(String text, String source, String key, String value) {
    Label l = Label.parse(text, Label.SOURCE_UNSPEC);

    assertThat(l).isEqualTo(new Label(source, key, value));
    assertThat(l.toString()).isEqualTo(text);
  }

  @Test
  void anySourceTermMatchesEverySourceButOtherSourcesMustBeEqual() {
    Label k8sWeb = Label.k8s("app", "web");
    Label containerWeb = new Label("container", "app", "web");

    assertThat(new Label("any", "app", "web").matches(k8sWeb)).isTrue();
    assertThat(new Label("any", "app", "web").matches(containerWeb)).isTrue();
    assertThat(new Label("unspec", "app", "web").matches(containerWeb)).isTrue();
    assertThat(Label.k8s("app", "web").matches(k8sWeb)).isTrue();
    assertThat(Label.k8s("app", "web").matches(containerWeb)).isFalse();
    assertThat(new Label("any", "app", "db").matches(k8sWeb)).isFalse();
    assertThat(new Label("any", "App", "web").matches(k8sWeb)).isFalse();
  }

  @Test
  void sortsByKeyFirstThenSourceThenValue() {
    List<Label> labels =
        new ArrayList<>(
            List.of(
                Label.k8s("zone", "a"),
                new Label("container", "app", "x"),
                Label.k8s("app", "web"),
                Label.reserved("host")));
    Collections.shuffle(labels, new java.util.Random(7));
    Collections.sort(labels);

    assertThat(labels)
        .containsExactly(
            new Label("container", "app", "x"),
            Label.k8s("app", "web"),
            Label.reserved("host"),
            Label.k8s("zone", "a"));
  }

  @Test
  void componentsAreRequired() {
    assertThatNullPointerException().isThrownBy(() -> new Label(null, "a", "b"));
    assertThatNullPointerException().isThrownBy(() -> new Label("k8s", null, "b"));
    assertThatNullPointerException().isThrownBy(() -> new Label("k8s", "a", null));
  }
}
