package io.jilium.core.policy;

import static io.jilium.core.policy.Direction.EGRESS;
import static io.jilium.core.policy.Direction.INGRESS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PolicyKeyTest {
  private static final int TCP = 6;
  private static final int UDP = 17;

  @Test
  void factories() {
    assertThat(PolicyKey.any(5, INGRESS)).isEqualTo(new PolicyKey(5, INGRESS, 0, 0, 0));
    assertThat(PolicyKey.protocol(5, EGRESS, TCP)).isEqualTo(new PolicyKey(5, EGRESS, TCP, 0, 8));
    assertThat(PolicyKey.port(5, INGRESS, UDP, 53))
        .isEqualTo(new PolicyKey(5, INGRESS, UDP, 53, 24));
  }

  @ParameterizedTest(name = "proto {0} port {1} /{2}")
  @CsvSource({
    "0, 0, -1",
    "6, 80, 25",
    "6, 0, 0", // any protocol cannot name a protocol
    "0, 80, 0",
    "6, 80, 8", // protocol-only cannot name a port
    "6, 81, 23", // the low bit is outside a 15-bit port prefix
    "6, 1025, 14",
    "6, 1, 9",
  })
  void rejectsInconsistentKeys(int protocol, int port, int prefix) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new PolicyKey(1, INGRESS, protocol, port, prefix));
  }

  @ParameterizedTest(name = "port {0} /{1} covers {2}-{3}")
  @CsvSource({
    "80, 24, 80, 80",
    "80, 23, 80, 81",
    "1024, 14, 1024, 2047",
    "32768, 9, 32768, 65535",
    "0, 9, 0, 32767",
    "0, 8, 0, 65535",
    "65535, 24, 65535, 65535",
  })
  void portBounds(int port, int prefix, int low, int high) {
    PolicyKey k = new PolicyKey(1, INGRESS, TCP, port, prefix);

    assertThat(k.portLow()).isEqualTo(low);
    assertThat(k.portHigh()).isEqualTo(high);
  }

  @Test
  void covers() {
    PolicyKey any = PolicyKey.any(7, INGRESS);
    PolicyKey tcp = PolicyKey.protocol(7, INGRESS, TCP);
    PolicyKey tcp80 = PolicyKey.port(7, INGRESS, TCP, 80);
    PolicyKey tcp80to81 = new PolicyKey(7, INGRESS, TCP, 80, 23);
    PolicyKey udp80 = PolicyKey.port(7, INGRESS, UDP, 80);

    assertThat(any.covers(tcp)).isTrue();
    assertThat(any.covers(udp80)).isTrue();
    assertThat(any.covers(any)).isTrue();
    assertThat(tcp.covers(tcp80)).isTrue();
    assertThat(tcp.covers(udp80)).isFalse();
    assertThat(tcp.covers(any)).isFalse();
    assertThat(tcp80to81.covers(tcp80)).isTrue();
    assertThat(tcp80to81.covers(PolicyKey.port(7, INGRESS, TCP, 82))).isFalse();
    assertThat(tcp80.covers(tcp80to81)).isFalse();
    assertThat(tcp80.covers(tcp80)).isTrue();
    assertThat(tcp80.covers(udp80)).isFalse();
    // identity and direction are never wildcarded by covers
    assertThat(any.covers(PolicyKey.port(8, INGRESS, TCP, 80))).isFalse();
    assertThat(any.covers(PolicyKey.port(7, EGRESS, TCP, 80))).isFalse();
    assertThat(PolicyKey.any(0, INGRESS).covers(tcp80)).isFalse();
  }

  @Test
  void ordersByDirectionIdentityProtocolPortPrefix() {
    List<PolicyKey> keys =
        new java.util.ArrayList<>(
            List.of(
                PolicyKey.any(0, EGRESS),
                PolicyKey.port(2, INGRESS, TCP, 80),
                PolicyKey.any(2, INGRESS),
                PolicyKey.port(1, INGRESS, UDP, 53),
                PolicyKey.port(1, INGRESS, TCP, 443)));
    java.util.Collections.sort(keys);

    assertThat(keys)
        .containsExactly(
            PolicyKey.port(1, INGRESS, TCP, 443),
            PolicyKey.port(1, INGRESS, UDP, 53),
            PolicyKey.any(2, INGRESS),
            PolicyKey.port(2, INGRESS, TCP, 80),
            PolicyKey.any(0, EGRESS));
  }

  // --- ranges ---------------------------------------------------------------------------------

  @Test
  void singlePortIsOneExactKey() {
    assertThat(PolicyKey.range(3, INGRESS, TCP, 80, 80))
        .containsExactly(PolicyKey.port(3, INGRESS, TCP, 80));
  }

  @Test
  void alignedPowerOfTwoIsOneKey() {
    assertThat(PolicyKey.range(3, EGRESS, UDP, 1024, 2047))
        .containsExactly(new PolicyKey(3, EGRESS, UDP, 1024, 14));
    assertThat(PolicyKey.range(3, EGRESS, UDP, 8080, 8083))
        .containsExactly(new PolicyKey(3, EGRESS, UDP, 8080, 22));
  }

  @Test
  void everyPortIsTheProtocolKey() {
    assertThat(PolicyKey.range(3, INGRESS, TCP, 0, 65535))
        .containsExactly(PolicyKey.protocol(3, INGRESS, TCP));
  }

  @Test
  void oneTo65535NeedsSixteenKeys() {
    // 1, 2-3, 4-7, ..., 32768-65535: one key per power of two
    List<PolicyKey> keys = PolicyKey.range(3, INGRESS, TCP, 1, 65535);

    assertThat(keys).hasSize(16);
    for (int i = 0; i < 16; i++) {
      assertThat(keys.get(i)).isEqualTo(new PolicyKey(3, INGRESS, TCP, 1 << i, 24 - i));
    }
  }

  @Test
  void thousandToNineteenNinetyNine() {
    // by hand: 1000-1007 (8), 1008-1023 (16), 1024-1535 (512), 1536-1791 (256),
    // 1792-1919 (128), 1920-1983 (64), 1984-1999 (16)
    assertThat(PolicyKey.range(0, INGRESS, TCP, 1000, 1999))
        .containsExactly(
            new PolicyKey(0, INGRESS, TCP, 1000, 21),
            new PolicyKey(0, INGRESS, TCP, 1008, 20),
            new PolicyKey(0, INGRESS, TCP, 1024, 15),
            new PolicyKey(0, INGRESS, TCP, 1536, 16),
            new PolicyKey(0, INGRESS, TCP, 1792, 17),
            new PolicyKey(0, INGRESS, TCP, 1920, 18),
            new PolicyKey(0, INGRESS, TCP, 1984, 20));
  }

  /** The fewest prefixes covering [from, to]: the maximal aligned blocks inside the range. */
  private static int minimalCover(int from, int to, int lo, int size) {
    int hi = lo + size - 1;
    if (hi < from || lo > to) {
      return 0;
    }
    if (from <= lo && hi <= to) {
      return 1;
    }
    return minimalCover(from, to, lo, size / 2) + minimalCover(from, to, lo + size / 2, size / 2);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void randomRangesAreCoveredExactlyOnceByTheFewestPrefixes(long seed) {
    Random rnd = new Random(seed);
    for (int i = 0; i < 50; i++) {
      int a = 1 + rnd.nextInt(65535);
      int b = rnd.nextInt(4) == 0 ? a + rnd.nextInt(20) : 1 + rnd.nextInt(65535);
      int from = Math.min(a, Math.min(b, 65535));
      int to = Math.min(65535, Math.max(a, b));
      List<PolicyKey> keys = PolicyKey.range(42, EGRESS, TCP, from, to);

      int[] hits = new int[65536];
      for (PolicyKey k : keys) {
        assertThat(k.identity()).isEqualTo(42);
        assertThat(k.direction()).isEqualTo(EGRESS);
        assertThat(k.protocol()).isEqualTo(TCP);
        for (int p = k.portLow(); p <= k.portHigh(); p++) {
          hits[p]++;
        }
      }
      for (int p = 0; p <= 65535; p++) {
        int expected = p >= from && p <= to ? 1 : 0;
        if (hits[p] != expected) {
          assertThat(hits[p])
              .as("[%d, %d]: port %d matched by %s", from, to, p, keys)
              .isEqualTo(expected);
        }
      }
      assertThat(keys).as("[%d, %d]", from, to).hasSize(minimalCover(from, to, 0, 65536));
    }
  }
}
