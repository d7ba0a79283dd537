package io.jilium.bpf.maps;

import java.util.function.Supplier;

/** Argument checks shared by the load-balancing map views. */
final class Lb {
  private Lb() {}

  static void checkRange(String what, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          what + ": " + value + " (expected: " + min + "-" + max + ")");
    }
  }

  /** A copy of {@code address}, which must be an IPv4 or IPv6 address. */
  static byte[] checkAddress(String what, byte[] address) {
    if (address.length != 4 && address.length != 16) {
      throw new IllegalArgumentException(
          what + ": " + address.length + " bytes (expected: 4 or 16)");
    }
    return address.clone();
  }

  static void checkFamily(Supplier<String> what, byte[] address, boolean ipv6) {
    // the description is built only for the message: entries are written by the ten thousand
    if (address.length != (ipv6 ? 16 : 4)) {
      throw new IllegalArgumentException(
          what.get()
              + ": a "
              + (address.length == 16 ? "IPv6" : "IPv4")
              + " address in the "
              + (ipv6 ? "IPv6" : "IPv4")
              + " map");
    }
  }
}
