package io.jilium.core.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.regex.Pattern;

/** Parsing and formatting of literal IP addresses; never resolves names. */
public final class IpAddress {
  // compiled once: parsing is on the path of every Service and backend (10,000s per apply)
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  private IpAddress() {}

  /** The bytes of a literal IPv4 or IPv6 address. */
  public static byte[] parse(String s) {
    String t = s.trim();
    if (t.isEmpty()) {
      throw new IllegalArgumentException("\"" + s + "\": not an IP address");
    }
    if (t.indexOf(':') >= 0) {
      if (!IPV6_CHARS.matcher(t).matches()) {
        throw new IllegalArgumentException("\"" + s + "\": not an IPv6 address");
      }
      try {
        // ofLiteral never resolves names
        byte[] b = InetAddress.ofLiteral(t).getAddress();
        if (b.length == 4) {
          // ::ffff:a.b.c.d: keep IPv6 form
          byte[] v6 = new byte[16];
          v6[10] = (byte) 0xff;
          v6[11] = (byte) 0xff;
          System.arraycopy(b, 0, v6, 12, 4);
          return v6;
        }
        return b;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("\"" + s + "\": not an IPv6 address");
      }
    }
    String[] parts = t.split("\\.", -1); // a one-character split needs no regex
    if (parts.length != 4) {
      throw new IllegalArgumentException("\"" + s + "\": not an IPv4 address");
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      if (!isOctetText(parts[i])) {
        throw new IllegalArgumentException("\"" + s + "\": not an IPv4 address");
      }
      int v = Integer.parseInt(parts[i]);
      if (v > 255) {
        throw new IllegalArgumentException("\"" + s + "\": octet " + v + " (expected: 0-255)");
      }
      out[i] = (byte) v;
    }
    return out;
  }

  /** One to three ASCII digits (checked by hand: addresses are parsed by the ten thousand). */
  private static boolean isOctetText(String p) {
    if (p.isEmpty() || p.length() > 3) {
      return false;
    }
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  public static boolean isValid(String s) {
    try {
      parse(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  public static String format(byte[] a) {
    if (a.length == 4) {
      return (a[0] & 0xff) + "." + (a[1] & 0xff) + "." + (a[2] & 0xff) + "." + (a[3] & 0xff);
    }
    if (a.length != 16) {
      throw new IllegalArgumentException("address must have 4 or 16 bytes");
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (groups[i] == 0) {
        int j = i;
        while (j < 8 && groups[j] == 0) {
          j++;
        }
        if (j - i > bestLen && j - i >= 2) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(groups[i]));
    }
    return sb.toString();
  }

  public static String format(InetAddress a) {
    return format(a instanceof Inet6Address v6 ? v6.getAddress() : a.getAddress());
  }
}
