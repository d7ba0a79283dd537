package io.jilium.core.resource;

import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import java.util.regex.Pattern;

/**
 * CIDR text as the policy APIs accept it. Host bits beyond the prefix are accepted and cleared, as
 * both Cilium (which masks the prefix when it turns it into a {@code cidr:} label) and Kubernetes'
 * legacy {@code ipBlock} validation do.
 */
final class CidrText {
  static final String CIDR_FORM = "a CIDR such as 10.0.0.0/8 or fd00::/64";
  private static final Pattern SYNTAX = Pattern.compile("[0-9A-Fa-f:.]+(/[0-9]+)?");

  private CidrText() {}

  /**
   * Parses {@code text} or throws a {@link FieldException} at {@code path}.
   *
   * @param bareAddress whether an address without a prefix length is a host prefix (Cilium's {@code
   *     fromCIDR}); otherwise the prefix length is required
   * @param leadingZeros whether IPv4 octets may have leading zeros, read as decimal (Kubernetes'
   *     legacy fields allow them; Go's netip, hence Cilium, rejects them as ambiguous)
   */
  static Cidr parse(String path, String text, boolean bareAddress, boolean leadingZeros) {
    String expected = bareAddress ? CIDR_FORM + ", or an IP address" : CIDR_FORM;
    if (text.isEmpty() || !SYNTAX.matcher(text).matches()) {
      throw new FieldException(path, "\"" + text + "\" (expected: " + expected + ")");
    }
    int slash = text.indexOf('/');
    if (slash < 0 && !bareAddress) {
      throw bad(path, text, "the prefix length is missing", expected);
    }
    String address = slash < 0 ? text : text.substring(0, slash);
    if (!leadingZeros && hasLeadingZeroOctet(address)) {
      throw bad(path, text, "an IPv4 octet with a leading zero is ambiguous", expected);
    }
    if (address.indexOf(':') >= 0
        && Character.digit(address.charAt(0), 16) < 0
        && address.charAt(0) != ':') {
      // Not an IPv6 literal; checked here because InetAddress would resolve it as a host name.
      throw bad(path, text, "\"" + address + "\" is not an IP address", expected);
    }
    byte[] bytes;
    try {
      bytes = IpAddress.parse(address);
    } catch (IllegalArgumentException e) {
      throw bad(path, text, "\"" + address + "\" is not an IP address", expected);
    }
    int bits = bytes.length * 8;
    int length = bits;
    if (slash >= 0) {
      String lengthText = text.substring(slash + 1);
      if (lengthText.length() > 3 || (lengthText.length() > 1 && lengthText.startsWith("0"))) {
        throw bad(path, text, "prefix length \"" + lengthText + "\"", "0-" + bits);
      }
      length = Integer.parseInt(lengthText);
      if (length > bits) {
        throw bad(path, text, "prefix length " + length, "0-" + bits);
      }
    }
    return new Cidr(bytes, length);
  }

  private static FieldException bad(String path, String text, String reason, String expected) {
    return new FieldException(
        path, "\"" + text + "\": " + reason + " (expected: " + expected + ")");
  }

  /** An IPv4 octet (alone or at the end of an IPv6 address) written with a leading zero. */
  private static boolean hasLeadingZeroOctet(String address) {
    String v4 = address.substring(address.lastIndexOf(':') + 1);
    if (v4.indexOf('.') < 0) {
      return false;
    }
    for (String octet : v4.split("\\.", -1)) {
      if (octet.length() > 1 && octet.charAt(0) == '0') {
        return true;
      }
    }
    return false;
  }
}
