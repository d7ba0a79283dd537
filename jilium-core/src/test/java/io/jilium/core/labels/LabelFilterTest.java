package io.jilium.core.labels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Cilium's default identity-relevant label filter (pkg/labelsfilter, docs table). */
class LabelFilterTest {
  private static final LabelFilter FILTER = LabelFilter.defaults();

  private static boolean relevant(String label) {
    return FILTER.isIdentityRelevant(Label.parse(label, Label.SOURCE_K8S));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "k8s:app=x",
        "k8s:role=frontend",
        "k8s:io.kubernetes.pod.namespace=default", // include (27) beats !io.kubernetes (13)
        "k8s:io.cilium.k8s.namespace.labels.team=a",
        "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default",
        "k8s:app.kubernetes.io/name=db",
        "k8s:app.kubernetes.io/component=cache",
        "reserved:host",
        "reserved:world",
        "container:ioXkubernetes=1", // the exclude is an escaped regex: '.' is literal
        "k8s:my.io.kubernetes=1", // excludes are anchored at the start of the key
      })
  void kept(String label) {
    assertThat(relevant(label)).as(label).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "k8s:pod-template-hash=5d8f7b6c9",
        "k8s:controller-revision-hash=abc",
        "k8s:pod-template-generation=3",
        "k8s:controller-uid=1234",
        "k8s:kubernetes.io/hostname=node1",
        "k8s:kubernetes.io/os=linux",
        "k8s:io.kubernetes.container.name=app",
        "k8s:io.kubernetes.pod.name=web-0",
        "k8s:beta.kubernetes.io/arch=amd64",
        "k8s:failure-domain.beta.kubernetes.io/zone=z1",
        "k8s:k8s.io/foo=bar",
        "k8s:annotation.kubectl.kubernetes.io/last-applied=x",
        "k8s:annotation.hello=world",
        "k8s:statefulset.kubernetes.io/pod-name=db-0",
        "k8s:apps.kubernetes.io/pod-index=0",
        "k8s:batch.kubernetes.io/job-completion-index=1",
        "k8s:batch.kubernetes.io/controller-uid=1234",
        "k8s:etcd_node=n1",
        "container:pod-template-hash=1", // a pattern without source applies to every source
      })
  void dropped(String label) {
    assertThat(relevant(label)).as(label).isFalse();
  }

  @Test
  void matchLengthsAreThoseOfTheMatchedTextNotOfThePatterns() {
    // Cilium compares the end offsets of the matches: the include
    // io\.cilium\.k8s\.namespace\.labels matches 30 characters, the exclude
    // .*beta\.kubernetes\.io matches 49, so the exclude wins. Comparing pattern lengths
    // (35 against 21) would wrongly keep the label.
    assertThat(relevant("k8s:io.cilium.k8s.namespace.labels.beta.kubernetes.io/arch=amd64"))
        .isFalse();
  }

  @Test
  void filterKeepsTheRelevantSubset() {
    Labels pod =
        Labels.of(
            Label.k8s("app", "web"),
            Label.k8s("pod-template-hash", "abc"),
            Label.k8s("io.kubernetes.pod.namespace", "default"),
            Label.k8s("io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name", "default"),
            Label.k8s("kubernetes.io/hostname", "n1"));

    assertThat(FILTER.filter(pod).toStrings())
        .containsExactly(
            "k8s:app=web",
            "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=default",
            "k8s:io.kubernetes.pod.namespace=default");
  }

  @Test
  void filterOfRelevantLabelsChangesNothing() {
    Labels l = Labels.of(Label.k8s("app", "web"), Label.reserved("host"));

    assertThat(FILTER.filter(l)).isEqualTo(l);
    assertThat(FILTER.filter(Labels.EMPTY)).isEqualTo(Labels.EMPTY);
    assertThat(FILTER.filter(Labels.of(List.of(Label.k8s("pod-template-hash", "x")))))
        .isEqualTo(Labels.EMPTY);
  }
}
