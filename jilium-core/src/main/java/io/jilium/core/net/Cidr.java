package io.jilium.core.net;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix. The address is canonical (host bits cleared), so equal prefixes are equal
 * values. Parsing never does DNS.
 */
public record Cidr(byte[] address, int prefixLength) implements Comparable<Cidr> {
  public Cidr {
    if (address.length != 4 && address.length != 16) {
      throw new IllegalArgumentException("address must have 4 or 16 bytes");
    }
    int bits = address.length * 8;
    if (prefixLength < 0 || prefixLength > bits) {
      throw new IllegalArgumentException(
          "prefix length " + prefixLength + " (expected: 0-" + bits + ")");
    }
    address = mask(address.clone(), prefixLength);
  }

  /** Parses {@code 10.0.0.0/8}, {@code fd00::/64}, or a bare address as a host prefix. */
  public static Cidr parse(String s) {
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    byte[] bytes = IpAddress.parse(addr);
    int len;
    if (slash < 0) {
      len = bytes.length * 8;
    } else {
      String lenText = s.substring(slash + 1);
      try {
        len = Integer.parseInt(lenText);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "\"" + s + "\": prefix length \"" + lenText + "\" is not a number");
      }
      if (len < 0 || len > bytes.length * 8) {
        throw new IllegalArgumentException(
            "\"" + s + "\": prefix length " + len + " (expected: 0-" + bytes.length * 8 + ")");
      }
    }
    return new Cidr(bytes, len);
  }

  public static Cidr host(byte[] address) {
    return new Cidr(address, address.length * 8);
  }

  public boolean isIpv4() {
    return address.length == 4;
  }

  public int bits() {
    return address.length * 8;
  }

  public boolean contains(byte[] ip) {
    if (ip.length != address.length) {
      return false;
    }
    return Arrays.equals(mask(ip.clone(), prefixLength), address);
  }

  public boolean contains(Cidr other) {
    return other.address.length == address.length
        && other.prefixLength >= prefixLength
        && contains(other.address);
  }

  /** The number of addresses, capped at Long.MAX_VALUE. */
  public long size() {
    int hostBits = bits() - prefixLength;
    return hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
  }

  /** The address at {@code offset} from the start of the prefix. */
  public byte[] addressAt(long offset) {
    BigInteger base = new BigInteger(1, address);
    byte[] raw = base.add(BigInteger.valueOf(offset)).toByteArray();
    byte[] out = new byte[address.length];
    int copy = Math.min(raw.length, out.length);
    System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
    return out;
  }

  /** The offset of {@code ip} from the start of the prefix (ip must be inside). */
  public long offsetOf(byte[] ip) {
    return new BigInteger(1, ip).subtract(new BigInteger(1, address)).longValueExact();
  }

  public InetAddress inetAddress() {
    try {
      return InetAddress.getByAddress(address);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] mask(byte[] a, int len) {
    for (int i = 0; i < a.length; i++) {
      int keep = Math.max(0, Math.min(8, len - i * 8));
      a[i] &= (byte) (0xff << (8 - keep));
    }
    return a;
  }

  @Override
  public byte[] address() {
    return address.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c
        && c.prefixLength == prefixLength
        && Arrays.equals(c.address, address);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(address) * 31 + prefixLength;
  }

  @Override
  public int compareTo(Cidr o) {
    int c = Integer.compare(address.length, o.address.length);
    if (c != 0) {
      return c;
    }
    c = Arrays.compareUnsigned(address, o.address);
    return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
  }

  @Override
  public String toString() {
    return IpAddress.format(address) + "/" + prefixLength;
  }
}
