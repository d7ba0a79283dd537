package io.jilium.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
  private static byte[] ip(String s) {
    return IpAddress.parse(s);
  }

  @ParameterizedTest
  @CsvSource({
    "10.1.2.3/8, 10.0.0.0/8",
    "10.0.0.0/8, 10.0.0.0/8",
    "192.168.1.77/30, 192.168.1.76/30",
    "192.168.1.77/0, 0.0.0.0/0",
    "10.0.0.1, 10.0.0.1/32",
    "fd00::1/64, fd00::/64",
    "2001:DB8:0:0:0:0:0:1/32, 2001:db8::/32",
    "fd00:10:201::ff/120, fd00:10:201::/120",
    "fd00:10:201::ff/121, fd00:10:201::80/121",
    "fd00::1, fd00::1/128",
    "::/0, ::/0",
  })
  void parsesToCanonicalForm(String text, String canonical) {
    Cidr c = Cidr.parse(text);

    assertThat(c.toString()).isEqualTo(canonical);
    assertThat(c).isEqualTo(Cidr.parse(canonical)).hasSameHashCodeAs(Cidr.parse(canonical));
  }

  @Test
  void contains() {
    Cidr c = Cidr.parse("10.0.0.0/8");

    assertThat(c.contains(ip("10.0.0.0"))).isTrue();
    assertThat(c.contains(ip("10.255.255.255"))).isTrue();
    assertThat(c.contains(ip("11.0.0.0"))).isFalse();
    assertThat(c.contains(ip("9.255.255.255"))).isFalse();
    assertThat(c.contains(ip("::ffff:10.0.0.1"))).as("other family").isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("203.0.113.9"))).isTrue();
    assertThat(Cidr.parse("0.0.0.0/0").contains(ip("fd00::1"))).isFalse();
    assertThat(Cidr.parse("fd00::/64").contains(ip("fd00::ffff:1"))).isTrue();
    assertThat(Cidr.parse("fd00::/64").contains(ip("fd00:0:0:1::1"))).isFalse();
    assertThat(Cidr.parse("10.0.0.1/32").contains(ip("10.0.0.1"))).isTrue();
    assertThat(Cidr.parse("10.0.0.1/32").contains(ip("10.0.0.2"))).isFalse();
  }

  @Test
  void containsPrefix() {
    Cidr wide = Cidr.parse("10.0.0.0/8");
    Cidr narrow = Cidr.parse("10.1.0.0/16");

    assertThat(wide.contains(narrow)).isTrue();
    assertThat(narrow.contains(wide)).isFalse();
    assertThat(wide.contains(wide)).isTrue();
    assertThat(wide.contains(Cidr.parse("11.0.0.0/16"))).isFalse();
    assertThat(Cidr.parse("::/0").contains(wide)).isFalse();
  }

  @Test
  void addressAtAndOffsetOf() {
    Cidr v4 = Cidr.parse("10.0.0.0/16");
    Cidr v6 = Cidr.parse("fd00:10:201::/64");

    assertThat(IpAddress.format(v4.addressAt(0))).isEqualTo("10.0.0.0");
    assertThat(IpAddress.format(v4.addressAt(255))).isEqualTo("10.0.0.255");
    assertThat(IpAddress.format(v4.addressAt(256))).isEqualTo("10.0.1.0");
    assertThat(IpAddress.format(v4.addressAt(65535))).isEqualTo("10.0.255.255");
    assertThat(v4.offsetOf(ip("10.0.1.2"))).isEqualTo(258);
    assertThat(IpAddress.format(v6.addressAt(2))).isEqualTo("fd00:10:201::2");
    assertThat(IpAddress.format(v6.addressAt(0x10000))).isEqualTo("fd00:10:201::1:0");
    assertThat(v6.offsetOf(ip("fd00:10:201::1:5"))).isEqualTo(0x10005);
    assertThat(IpAddress.format(Cidr.parse("255.255.255.0/24").addressAt(255)))
        .isEqualTo("255.255.255.255");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void offsetOfInvertsAddressAt(long seed) {
    Random rnd = new Random(seed);
    for (int i = 0; i < 200; i++) {
      boolean v4 = rnd.nextBoolean();
      byte[] base = new byte[v4 ? 4 : 16];
      rnd.nextBytes(base);
      int len = v4 ? 8 + rnd.nextInt(25) : 64 + rnd.nextInt(65);
      Cidr c = new Cidr(base, len);
      long offset = c.size() == 1 ? 0 : Math.floorMod(rnd.nextLong(), Math.min(c.size(), 1L << 40));
      byte[] a = c.addressAt(offset);

      assertThat(c.contains(a)).as("%s + %d", c, offset).isTrue();
      assertThat(c.offsetOf(a)).isEqualTo(offset);
      BigInteger expected = new BigInteger(1, c.address()).add(BigInteger.valueOf(offset));
      assertThat(new BigInteger(1, a)).isEqualTo(expected);
    }
  }

  @Test
  void size() {
    assertThat(Cidr.parse("10.0.0.0/24").size()).isEqualTo(256);
    assertThat(Cidr.parse("10.0.0.1/32").size()).isEqualTo(1);
    assertThat(Cidr.parse("0.0.0.0/0").size()).isEqualTo(1L << 32);
    assertThat(Cidr.parse("fd00::/120").size()).isEqualTo(256);
    assertThat(Cidr.parse("fd00::/64").size()).isEqualTo(Long.MAX_VALUE);
    assertThat(Cidr.parse("10.0.0.0/24").bits()).isEqualTo(32);
    assertThat(Cidr.parse("fd00::/64").bits()).isEqualTo(128);
    assertThat(Cidr.parse("fd00::/64").isIpv4()).isFalse();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.0/33   | \"10.0.0.0/33\": prefix length 33 (expected: 0-32)",
        "10.0.0.0/-1   | \"10.0.0.0/-1\": prefix length -1 (expected: 0-32)",
        "fd00::/129    | \"fd00::/129\": prefix length 129 (expected: 0-128)",
        "10.0.0.0/abc  | \"10.0.0.0/abc\": prefix length \"abc\" is not a number",
        "10.0.0.0/     | is not a number",
        "10.0.0.0/8/9  | is not a number",
        "garbage       | not an IPv4 address",
        "10.0.0/8      | not an IPv4 address",
        "1.2.3.4.5/8   | not an IPv4 address",
        "256.0.0.0/8   | octet 256 (expected: 0-255)",
        "10.0.0.x/8    | not an IPv4 address",
        "fd00::g/64    | not an IPv6 address",
        "fd00:::1/64   | not an IPv6 address",
        "1:2:3:4:5:6:7:8:9/64 | not an IPv6 address",
        "/8            | not an IP address",
      })
  void errors(String text, String message) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Cidr.parse(text))
        .withMessageContaining(message);
  }

  @Test
  void constructorChecks() {
    assertThatIllegalArgumentException().isThrownBy(() -> new Cidr(new byte[5], 8));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new Cidr(new byte[4], 33))
        .withMessageContaining("(expected: 0-32)");
    Cidr c = new Cidr(new byte[] {10, 1, 2, 3}, 8);
    assertThat(c.address()).containsExactly(10, 0, 0, 0);
  }

  @Test
  void isAnImmutableValue() {
    byte[] raw = {10, 0, 0, 0};
    Cidr c = new Cidr(raw, 8);
    raw[0] = 11;
    c.address()[0] = 12;

    assertThat(c.toString()).isEqualTo("10.0.0.0/8");
  }

  @Test
  void ordersIpv4BeforeIpv6ThenByAddressThenLength() {
    List<Cidr> l =
        new ArrayList<>(
            List.of(
                Cidr.parse("fd00::/64"),
                Cidr.parse("10.0.0.0/16"),
                Cidr.parse("10.0.0.0/8"),
                Cidr.parse("192.168.0.0/16"),
                Cidr.parse("9.0.0.0/8")));
    Collections.shuffle(l, new Random(3));
    Collections.sort(l);

    assertThat(l)
        .extracting(Cidr::toString)
        .containsExactly("9.0.0.0/8", "10.0.0.0/8", "10.0.0.0/16", "192.168.0.0/16", "fd00::/64");
  }
}
