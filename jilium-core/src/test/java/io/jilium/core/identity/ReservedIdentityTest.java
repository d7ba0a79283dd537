package io.jilium.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.labels.Label;
import io.jilium.core.labels.Labels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Cilium's reserved identities (pkg/identity/numericidentity.go). */
class ReservedIdentityTest {
  @ParameterizedTest
  @CsvSource({
    "HOST, 1, host",
    "WORLD, 2, world",
    "UNMANAGED, 3, unmanaged",
    "HEALTH, 4, health",
    "INIT, 5, init",
    "REMOTE_NODE, 6, remote-node",
    "KUBE_APISERVER, 7, kube-apiserver",
    "INGRESS, 8, ingress",
    "WORLD_IPV4, 9, world-ipv4",
    "WORLD_IPV6, 10, world-ipv6",
  })
  void numbersAndNamesAreCiliums(ReservedIdentity r, int id, String name) {
    assertThat(r.id()).isEqualTo(id);
    assertThat(r.label()).isEqualTo(name);
    assertThat(ReservedIdentity.of(id)).contains(r);
    assertThat(ReservedIdentity.byName(name)).contains(r);
    assertThat(ReservedIdentity.display(id)).isEqualTo(name);
  }

  @Test
  void thereAreExactlyTheseTen() {
    assertThat(ReservedIdentity.values()).hasSize(10);
    assertThat(ReservedIdentity.of(0)).isEmpty();
    assertThat(ReservedIdentity.of(11)).isEmpty();
    assertThat(ReservedIdentity.byName("unknown")).isEmpty();
  }

  @Test
  void labels() {
    assertThat(ReservedIdentity.HOST.labels()).isEqualTo(Labels.of(Label.reserved("host")));
    assertThat(ReservedIdentity.WORLD_IPV6.labels().toStrings())
        .containsExactly("reserved:world-ipv6");
    // kube-apiserver carries remote-node too
    assertThat(ReservedIdentity.KUBE_APISERVER.labels().toStrings())
        .containsExactlyInAnyOrder("reserved:kube-apiserver", "reserved:remote-node");
  }

  @Test
  void displayPrintsOtherIdsAsNumbers() {
    assertThat(ReservedIdentity.display(0)).isEqualTo("0");
    assertThat(ReservedIdentity.display(256)).isEqualTo("256");
    assertThat(ReservedIdentity.display(16777217)).isEqualTo("16777217");
  }

  @Test
  void numericRanges() {
    assertThat(ReservedIdentity.MIN_ALLOCATED).isEqualTo(256);
    assertThat(ReservedIdentity.LOCAL_SCOPE_FLAG).isEqualTo(1 << 24);
    assertThat(new Identity(1, Labels.EMPTY).isReserved()).isTrue();
    assertThat(new Identity(255, Labels.EMPTY).isReserved()).isTrue();
    assertThat(new Identity(256, Labels.EMPTY).isReserved()).isFalse();
    assertThat(new Identity(0, Labels.EMPTY).isReserved()).isFalse();
    assertThat(new Identity((1 << 24) + 1, Labels.EMPTY).isLocalScope()).isTrue();
    assertThat(new Identity(65535, Labels.EMPTY).isLocalScope()).isFalse();
  }
}
