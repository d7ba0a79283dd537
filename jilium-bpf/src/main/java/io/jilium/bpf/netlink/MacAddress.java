package io.jilium.bpf.netlink;

import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A 48-bit Ethernet address, held in the low 48 bits of {@code value} (first octet most
 * significant). Prints as {@code aa:bb:cc:dd:ee:ff}.
 */
public record MacAddress(long value) {
  public MacAddress {
    if ((value & ~0xFFFF_FFFF_FFFFL) != 0) {
      throw new IllegalArgumentException(
          "mac: 0x" + Long.toHexString(value) + " (expected: 48 bits)");
    }
  }

  /** The address from 6 octets in wire order. */
  public static MacAddress of(byte[] octets) {
    Objects.requireNonNull(octets, "octets");
    if (octets.length != 6) {
      throw new IllegalArgumentException("mac: " + octets.length + " bytes (expected: 6)");
    }
    long v = 0;
    for (byte b : octets) {
      v = (v << 8) | (b & 0xFF);
    }
    return new MacAddress(v);
  }

  /** Parses {@code aa:bb:cc:dd:ee:ff} (also with '-' separators; case-insensitive). */
  public static MacAddress parse(String text) {
    Objects.requireNonNull(text, "text");
    String[] parts = text.split("[:-]");
    if (parts.length != 6) {
      throw new IllegalArgumentException("mac: '" + text + "' (expected: aa:bb:cc:dd:ee:ff)");
    }
    long v = 0;
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 2) {
        throw new IllegalArgumentException("mac: '" + text + "' (expected: aa:bb:cc:dd:ee:ff)");
      }
      try {
        v = (v << 8) | Integer.parseInt(p, 16);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("mac: '" + text + "' (expected: aa:bb:cc:dd:ee:ff)", e);
      }
    }
    return new MacAddress(v);
  }

  /**
   * A random locally administered unicast address (first octet {@code x2}, {@code x6}, {@code xa}
   * or {@code xe}), as the kernel picks for veths.
   */
  public static MacAddress randomLocal() {
    long v = ThreadLocalRandom.current().nextLong() & 0xFFFF_FFFF_FFFFL;
    v &= ~(0x01L << 40); // unicast
    v |= 0x02L << 40; // locally administered
    return new MacAddress(v);
  }

  /** The 6 octets in wire order. */
  public byte[] bytes() {
    byte[] b = new byte[6];
    for (int i = 0; i < 6; i++) {
      b[i] = (byte) (value >>> (8 * (5 - i)));
    }
    return b;
  }

  @Override
  public String toString() {
    return HexFormat.ofDelimiter(":").formatHex(bytes());
  }
}
