package io.jilium.bpf.maps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.bpf.maps.LbBackendsMap.Backend;
import io.jilium.bpf.maps.LbRevNatMap.RevNat;
import io.jilium.bpf.maps.LbServicesMap.Key;
import io.jilium.bpf.maps.LbServicesMap.Service;
import org.junit.jupiter.api.Test;

/** The records of the load-balancing map views: value equality and argument checks. */
class LbMapsTest {
  @Test
  void recordsWithAddressesCompareByValue() {
    assertThat(new Key(new byte[] {10, 0, 0, 1}, 80, 6, 0))
        .isEqualTo(new Key(new byte[] {10, 0, 0, 1}, 80, 6, 0))
        .hasSameHashCodeAs(new Key(new byte[] {10, 0, 0, 1}, 80, 6, 0))
        .isNotEqualTo(new Key(new byte[] {10, 0, 0, 1}, 80, 6, 1))
        .hasToString("10.0.0.1:80/6 slot 0");
    assertThat(new Backend(new byte[] {10, 0, 0, 2}, 8080, 17, LbBackendsMap.ACTIVE))
        .isEqualTo(new Backend(new byte[] {10, 0, 0, 2}, 8080, 17, LbBackendsMap.ACTIVE));
    assertThat(new RevNat(new byte[16], 53)).isEqualTo(new RevNat(new byte[16], 53));
  }

  @Test
  void addressesAreCopied() {
    byte[] a = {10, 0, 0, 1};
    Key k = new Key(a, 80, 6, 0);
    a[3] = 9;
    k.address()[3] = 8;
    assertThat(k.address()).containsExactly(10, 0, 0, 1);
  }

  @Test
  void outOfRangeFieldsAreRefusedWithTheExpectedRange() {
    assertThatThrownBy(() -> new Key(new byte[] {10, 0, 0, 1}, 70000, 6, 0))
        .hasMessage("frontend port: 70000 (expected: 0-65535)");
    assertThatThrownBy(() -> new Key(new byte[5], 80, 6, 0))
        .hasMessage("frontend address: 5 bytes (expected: 4 or 16)");
    assertThatThrownBy(() -> new Service(0, 65536, 1, 0, 0))
        .hasMessage("backend count: 65536 (expected: 0-65535)");
    assertThatThrownBy(() -> new Backend(new byte[4], 80, 6, 256))
        .hasMessage("backend state: 256 (expected: 0-255)");
  }
}
