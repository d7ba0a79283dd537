package io.jilium.core.ipam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressPoolTest {
  private static AddressPool pool(String cidr) {
    return new AddressPool(Cidr.parse(cidr));
  }

  private static String alloc(AddressPool p, String owner) {
    return IpAddress.format(p.allocate(owner));
  }

  @Test
  void skipsNetworkAndFirstAddress() {
    AddressPool p = pool("10.0.0.0/24");

    assertThat(alloc(p, "a")).isEqualTo("10.0.0.2");
    assertThat(alloc(p, "b")).isEqualTo("10.0.0.3");
    assertThat(p.capacity()).isEqualTo(253); // 256 - network - .1 - broadcast
  }

  @Test
  void ipv4BroadcastIsNeverHandedOut() {
    AddressPool p = pool("10.0.0.0/29"); // .2 .. .6
    Set<String> got = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      got.add(alloc(p, "pod" + i));
    }

    assertThat(got)
        .containsExactlyInAnyOrder("10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6");
    assertThatThrownBy(() -> p.allocate("pod5")).isInstanceOf(IpamExhaustedException.class);
  }

  @Test
  void sameOwnerGetsTheSameAddress() {
    AddressPool p = pool("10.0.0.0/24");
    String a = alloc(p, "a");
    alloc(p, "b");

    assertThat(alloc(p, "a")).isEqualTo(a);
    assertThat(p.allocated()).isEqualTo(2);
    assertThat(p.addressOf("a").map(IpAddress::format)).contains(a);
    assertThat(p.addressOf("nobody")).isEmpty();
  }

  @Test
  void exhaustionSaysWhatToDo() {
    AddressPool p = pool("10.0.0.0/30");
    alloc(p, "a");

    assertThatThrownBy(() -> p.allocate("b"))
        .isInstanceOf(IpamExhaustedException.class)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "no free address in pod CIDR 10.0.0.0/30 (1 allocated); delete pods or start the agent"
                + " with a larger --pod-cidr");
    assertThat(alloc(p, "a")).as("holders still get their address").isEqualTo("10.0.0.2");
  }

  @Test
  void releaseAndReuse() {
    AddressPool p = pool("10.0.0.0/29"); // .2 .. .6
    alloc(p, "a"); // .2
    alloc(p, "b"); // .3
    alloc(p, "c"); // .4

    assertThat(p.release("b")).isTrue();
    assertThat(p.release("b")).isFalse();
    assertThat(p.release("never")).isFalse();
    assertThat(p.addressOf("b")).isEmpty();
    // a released address is not reused at once: allocation walks on, then wraps around
    assertThat(alloc(p, "d")).isEqualTo("10.0.0.5");
    assertThat(alloc(p, "e")).isEqualTo("10.0.0.6");
    assertThat(alloc(p, "f")).isEqualTo("10.0.0.3");
    assertThat(p.allocated()).isEqualTo(5);
  }

  @Test
  void smallestIpv4Pool() {
    AddressPool p = pool("10.0.0.4/30");

    assertThat(p.capacity()).isEqualTo(1);
    assertThat(alloc(p, "a")).isEqualTo("10.0.0.6");
    assertThatThrownBy(() -> p.allocate("b")).isInstanceOf(IpamExhaustedException.class);
    p.release("a");
    assertThat(alloc(p, "b")).isEqualTo("10.0.0.6");
  }

  @Test
  void ipv6HasNoBroadcast() {
    AddressPool p = pool("fd00::/126"); // ::2 and ::3

    assertThat(p.capacity()).isEqualTo(2);
    assertThat(alloc(p, "a")).isEqualTo("fd00::2");
    assertThat(alloc(p, "b")).isEqualTo("fd00::3");
    assertThatThrownBy(() -> p.allocate("c")).isInstanceOf(IpamExhaustedException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0/31", "10.0.0.1/32", "fd00::/127", "fd00::1/128"})
  void tooSmallPoolsAreRefused(String cidr) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> pool(cidr))
        .withMessageContaining("too small");
  }

  @Test
  void ipv6Slash112() {
    AddressPool p = pool("fd00:10:201::/112");

    assertThat(p.capacity()).isEqualTo(65534);
    assertThat(alloc(p, "a")).isEqualTo("fd00:10:201::2");
    for (int i = 0; i < 300; i++) {
      p.allocate("pod" + i);
    }
    // a took offset 2, the pods 3..302, so b gets 303 = 0x12f
    assertThat(alloc(p, "b")).isEqualTo("fd00:10:201::12f");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void randomAllocateReleaseNeverDuplicatesOrLeavesTheRange(long seed) {
    Random rnd = new Random(seed);
    AddressPool p = pool("10.9.8.0/28"); // .2 .. .14: 13 addresses
    Map<String, String> holders = new HashMap<>();
    for (int step = 0; step < 2000; step++) {
      String owner = "pod" + rnd.nextInt(20);
      if (rnd.nextBoolean()) {
        if (holders.containsKey(owner) || holders.size() < 13) {
          String a = alloc(p, owner);
          assertThat(holders.getOrDefault(owner, a)).isEqualTo(a);
          assertThat(holders.entrySet())
              .noneMatch(e -> !e.getKey().equals(owner) && e.getValue().equals(a));
          holders.put(owner, a);
          int last = Integer.parseInt(a.substring(a.lastIndexOf('.') + 1));
          assertThat(last).isBetween(2, 14);
        } else {
          assertThatThrownBy(() -> p.allocate(owner)).isInstanceOf(IpamExhaustedException.class);
        }
      } else {
        assertThat(p.release(owner)).isEqualTo(holders.remove(owner) != null);
      }
      assertThat(p.allocated()).isEqualTo(holders.size());
    }
  }

  @Test
  void restoreKeepsAddressesAndAllocationContinuesAfterThem() {
    AddressPool p = pool("10.0.0.0/24");
    p.restore("a", IpAddress.parse("10.0.0.7"));

    assertThat(alloc(p, "a")).isEqualTo("10.0.0.7");
    assertThat(alloc(p, "b")).isEqualTo("10.0.0.8");
    p.restore("a", IpAddress.parse("10.0.0.7")); // the same again is fine
    assertThat(p.allocated()).isEqualTo(2);
  }

  @Test
  void restoreConflicts() {
    AddressPool p = pool("10.0.0.0/24");
    p.restore("a", IpAddress.parse("10.0.0.7"));

    assertThatIllegalStateException()
        .isThrownBy(() -> p.restore("b", IpAddress.parse("10.0.0.7")))
        .withMessage("10.0.0.7 is held by both a and b");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> p.restore("c", IpAddress.parse("10.0.1.7")))
        .withMessage("10.0.1.7 (owner c) is outside pod CIDR 10.0.0.0/24");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> p.restore("c", IpAddress.parse("fd00::7")));
  }

  @Test
  void restoreOfAnotherAddressForTheSameOwnerIsAConflictNotALeak() {
    AddressPool p = pool("10.0.0.0/24");
    p.restore("a", IpAddress.parse("10.0.0.7"));

    assertThatIllegalStateException()
        .isThrownBy(() -> p.restore("a", IpAddress.parse("10.0.0.9")))
        .withMessageContaining("10.0.0.7");
    assertThat(p.allocated()).isEqualTo(1);
    assertThat(p.addressOf("a").map(IpAddress::format)).contains("10.0.0.7");
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.0", "10.0.0.1", "10.0.0.255"})
  void restoreRefusesAddressesThePoolNeverHandsOut(String address) {
    AddressPool p = pool("10.0.0.0/24");

    assertThatIllegalArgumentException()
        .isThrownBy(() -> p.restore("a", IpAddress.parse(address)))
        .withMessageContaining(address)
        .withMessageContaining("10.0.0.2-10.0.0.254");
    assertThat(p.allocated()).isZero();
  }

  @Test
  void restoreToAFullPoolLeavesItFull() {
    AddressPool p = pool("10.0.0.0/30");
    p.restore("a", IpAddress.parse("10.0.0.2"));

    assertThatThrownBy(() -> p.allocate("b")).isInstanceOf(IpamExhaustedException.class);
  }
}
