package io.jilium.bpf.netlink;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Numeric IP addresses without DNS: parsing text and building from wire bytes. */
final class InetAddresses {
  private InetAddresses() {}

  /**
   * The address of 4 or 16 wire-order bytes. 16 bytes always give an {@link Inet6Address}, even for
   * IPv4-mapped addresses (which {@link InetAddress#getByAddress(byte[])} would turn into IPv4).
   */
  static InetAddress fromBytes(byte[] bytes) {
    try {
      return switch (bytes.length) {
        case 4 -> InetAddress.getByAddress(bytes);
        case 16 -> Inet6Address.getByAddress(null, bytes, -1);
        default ->
            throw new IllegalArgumentException(
                "address: " + bytes.length + " bytes (expected: 4 or 16)");
      };
    } catch (UnknownHostException e) {
      // Only thrown for a wrong length, excluded above.
      throw new IllegalArgumentException("address: " + bytes.length + " bytes", e);
    }
  }

  /** Parses a numeric IPv4 or IPv6 address; never resolves a host name. */
  static InetAddress parse(String text) {
    if (text.indexOf(':') < 0) {
      String[] parts = text.split("\\.", -1);
      byte[] bytes = new byte[4];
      if (parts.length != 4) {
        throw invalid(text, null);
      }
      for (int i = 0; i < 4; i++) {
        if (!parts[i].matches("\\d{1,3}") || Integer.parseInt(parts[i]) > 255) {
          throw invalid(text, null);
        }
        bytes[i] = (byte) Integer.parseInt(parts[i]);
      }
      return fromBytes(bytes);
    }
    try {
      // Text with ':' is taken as an IPv6 literal: rejected, never looked up, when malformed.
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw invalid(text, e);
    }
  }

  private static IllegalArgumentException invalid(String text, Exception cause) {
    return new IllegalArgumentException(
        "address: '" + text + "' (expected: a numeric IPv4 or IPv6 address)", cause);
  }

  /** The address family: AF_INET (2) or AF_INET6 (10). */
  static int family(InetAddress address) {
    return address.getAddress().length == 4 ? 2 : 10;
  }
}
