package io.jilium.bpf.netlink;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * An IPv4 or IPv6 prefix such as {@code 10.0.0.0/8} or {@code ::/0}: an address with no bits set
 * past {@code length}.
 */
public record IpPrefix(InetAddress address, int length) {
  public IpPrefix {
    Objects.requireNonNull(address, "address");
    int bits = address.getAddress().length * 8;
    if (length < 0 || length > bits) {
      throw new IllegalArgumentException(
          "prefix length: "
              + length
              + " for "
              + address.getHostAddress()
              + " (expected: 0-"
              + bits
              + ")");
    }
    byte[] masked = mask(address.getAddress(), length);
    if (!Arrays.equals(masked, address.getAddress())) {
      throw new IllegalArgumentException(
          "prefix: "
              + address.getHostAddress()
              + "/"
              + length
              + " has host bits set (expected: "
              + addressOf(masked).getHostAddress()
              + "/"
              + length
              + ")");
    }
  }

  /** {@code address/length}, e.g. of(10.1.2.3, 32). */
  public static IpPrefix of(InetAddress address, int length) {
    return new IpPrefix(address, length);
  }

  /** The single-address prefix of {@code address}: /32 or /128. */
  public static IpPrefix host(InetAddress address) {
    return new IpPrefix(address, address.getAddress().length * 8);
  }

  /** The default route's destination of the family of {@code address}: 0.0.0.0/0 or ::/0. */
  public static IpPrefix defaultFor(InetAddress address) {
    return new IpPrefix(addressOf(new byte[address.getAddress().length]), 0);
  }

  /** 0.0.0.0/0. */
  public static IpPrefix defaultV4() {
    return new IpPrefix(addressOf(new byte[4]), 0);
  }

  /** ::/0. */
  public static IpPrefix defaultV6() {
    return new IpPrefix(addressOf(new byte[16]), 0);
  }

  /** Parses a numeric {@code address/length}; a bare address is a host prefix. No DNS lookups. */
  public static IpPrefix parse(String text) {
    Objects.requireNonNull(text, "text");
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text : text.substring(0, slash);
    InetAddress address = InetAddresses.parse(addr);
    if (slash < 0) {
      return host(address);
    }
    try {
      return new IpPrefix(address, Integer.parseInt(text.substring(slash + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("prefix: '" + text + "' (expected: address/length)", e);
    }
  }

  /** {@link io.jilium.bpf.sys.LibC#AF_INET} or {@code AF_INET6}. */
  public int family() {
    return address instanceof Inet4Address ? 2 : 10;
  }

  /** Whether this is 0.0.0.0/0 or ::/0. */
  public boolean isDefault() {
    return length == 0;
  }

  @Override
  public String toString() {
    return address.getHostAddress() + "/" + length;
  }

  private static byte[] mask(byte[] bytes, int length) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, length - 8 * i));
      out[i] &= (byte) (0xFF00 >>> keep);
    }
    return out;
  }

  private static InetAddress addressOf(byte[] bytes) {
    return InetAddresses.fromBytes(bytes);
  }
}
