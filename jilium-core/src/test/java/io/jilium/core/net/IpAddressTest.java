package io.jilium.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // RFC 5952 section 4: longest run of zero groups compressed, leftmost on a tie, a single
    // zero group never compressed, lower case, no leading zeros
    "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "1:0:1:0:1:0:1:0, 1:0:1:0:1:0:1:0",
    "0:0:0:0:0:0:0:0, ::",
    "0:0:0:0:0:0:0:1, ::1",
    "1:0:0:0:0:0:0:0, 1::",
    "fe80:0:0:0:0:0:0:0, fe80::",
    "0:0:1:0:0:0:0:2, 0:0:1::2",
    "2001:0DB8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
    "FD00:ABCD:0:0:0:0:0:0A, fd00:abcd::a",
    "0:1:2:3:4:5:6:0, 0:1:2:3:4:5:6:0",
    "0:0:1:2:3:4:5:6, ::1:2:3:4:5:6",
    "1:2:3:4:5:6:0:0, 1:2:3:4:5:6::",
  })
  void formatsIpv6AsRfc5952(String input, String canonical) {
    assertThat(IpAddress.format(IpAddress.parse(input))).isEqualTo(canonical);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0", "10.0.0.1", "192.168.100.254", "255.255.255.255"})
  void formatsIpv4AsDottedQuad(String s) {
    assertThat(IpAddress.format(IpAddress.parse(s))).isEqualTo(s);
    assertThat(IpAddress.parse(s)).hasSize(4);
  }

  @Test
  void ipv4MappedAddressesStayIpv6() {
    byte[] b = IpAddress.parse("::ffff:10.0.0.1");

    assertThat(b).hasSize(16);
    assertThat(HexFormat.of().formatHex(b)).isEqualTo("00000000000000000000ffff0a000001");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "example.com",
        "localhost",
        "10.0.0",
        "10.0.0.0.1",
        "10.0.0.256",
        "10.0.0.-1",
        "10..0.1",
        "1234.0.0.1",
        "fd00::1%eth0",
        "fd00::1::2",
        "fd00:::1",
        "g::1",
        "12345::1",
        "1:2:3:4:5:6:7:8:9",
        "[fd00::1]",
      })
  void rejectsWhatIsNotALiteralAddress(String s) {
    assertThatIllegalArgumentException().isThrownBy(() -> IpAddress.parse(s));
    assertThat(IpAddress.isValid(s)).isFalse();
  }

  @Test
  void formatRejectsOtherLengths() {
    assertThatIllegalArgumentException().isThrownBy(() -> IpAddress.format(new byte[6]));
  }

  @Test
  void formatsInetAddresses() throws Exception {
    assertThat(IpAddress.format(InetAddress.getByName("fd00:0:0:0:0:0:0:1"))).isEqualTo("fd00::1");
    assertThat(IpAddress.format(InetAddress.getByName("10.1.2.3"))).isEqualTo("10.1.2.3");
  }

  /** Random IPv6 addresses, with many zero groups so every compression case comes up. */
  private static byte[] randomIpv6(Random rnd) {
    byte[] b = new byte[16];
    for (int g = 0; g < 8; g++) {
      int v =
          switch (rnd.nextInt(4)) {
            case 0, 1 -> 0;
            case 2 -> rnd.nextInt(16);
            default -> rnd.nextInt(65536);
          };
      b[2 * g] = (byte) (v >> 8);
      b[2 * g + 1] = (byte) v;
    }
    if (b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
      b[11] = 0x7f; // keep clear of v4-mapped addresses, which java.net returns as IPv4
    }
    return b;
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void randomIpv6RoundTripsThroughJavaNetAndIsCanonical(long seed) throws Exception {
    Random rnd = new Random(seed);
    for (int i = 0; i < 500; i++) {
      byte[] b = randomIpv6(rnd);
      String text = IpAddress.format(b);

      assertThat(InetAddress.getByName(text).getAddress()).as(text).isEqualTo(b);
      assertThat(IpAddress.parse(text)).as(text).isEqualTo(b);
      assertCanonical(b, text);

      // a non-canonical spelling (full, upper case, leading zeros) parses to the same bytes
      StringBuilder full = new StringBuilder();
      for (int g = 0; g < 8; g++) {
        full.append(g == 0 ? "" : ":")
            .append(
                String.format(
                    Locale.ROOT, "%04X", ((b[2 * g] & 0xff) << 8) | (b[2 * g + 1] & 0xff)));
      }
      assertThat(IpAddress.parse(full.toString())).isEqualTo(b);
      assertThat(IpAddress.format(IpAddress.parse(full.toString()))).isEqualTo(text);
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {6, 7})
  void randomIpv4RoundTripsThroughJavaNet(long seed) throws Exception {
    Random rnd = new Random(seed);
    for (int i = 0; i < 500; i++) {
      byte[] b = new byte[4];
      rnd.nextBytes(b);
      String text = IpAddress.format(b);

      assertThat(InetAddress.getByName(text).getAddress()).as(text).isEqualTo(b);
      assertThat(IpAddress.parse(text)).isEqualTo(b);
    }
  }

  /** Checks RFC 5952 section 4 on {@code text} against the groups of {@code b}. */
  private static void assertCanonical(byte[] b, String text) {
    int[] groups = new int[8];
    for (int g = 0; g < 8; g++) {
      groups[g] = ((b[2 * g] & 0xff) << 8) | (b[2 * g + 1] & 0xff);
    }
    int longest = 0;
    int longestStart = -1;
    for (int g = 0; g < 8; g++) {
      int run = 0;
      while (g + run < 8 && groups[g + run] == 0) {
        run++;
      }
      if (run > longest) {
        longest = run;
        longestStart = g;
      }
    }
    assertThat(text).as("lower case").isEqualTo(text.toLowerCase(Locale.ROOT));
    int dc = text.indexOf("::");
    assertThat(text.indexOf("::", dc + 1)).as("at most one ::").isEqualTo(-1);
    if (longest < 2) {
      assertThat(dc).as("%s: no run of two zero groups, so no ::", text).isEqualTo(-1);
      assertThat(text.split(":", -1)).hasSize(8);
    } else {
      assertThat(dc)
          .as("%s: a run of %d zero groups must be compressed", text, longest)
          .isNotNegative();
      String left = text.substring(0, dc);
      String right = text.substring(dc + 2);
      int leftGroups = left.isEmpty() ? 0 : left.split(":", -1).length;
      int rightGroups = right.isEmpty() ? 0 : right.split(":", -1).length;
      assertThat(leftGroups)
          .as("%s: the leftmost longest run starts at group %d", text, longestStart)
          .isEqualTo(longestStart);
      assertThat(8 - leftGroups - rightGroups).as("%s: compressed groups", text).isEqualTo(longest);
    }
    for (String part : text.split(":")) {
      if (!part.isEmpty()) {
        assertThat(part).as("%s: no leading zeros", text).matches("0|[1-9a-f][0-9a-f]{0,3}");
      }
    }
  }
}
