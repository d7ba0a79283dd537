package io.jilium.bpf.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code rtattr}s of a message or of a nested attribute, by type (the NLA_F_NESTED and
 * NLA_F_NET_BYTEORDER bits stripped). A repeated type keeps its last value. Values are views of the
 * message in native byte order.
 */
final class Attributes {
  private final Map<Integer, ByteBuffer> byType;

  private Attributes(Map<Integer, ByteBuffer> byType) {
    this.byType = byType;
  }

  /**
   * Parses the attributes that fill {@code buf}.
   *
   * @throws IllegalArgumentException if an attribute's length is out of bounds
   */
  static Attributes parse(ByteBuffer buf) {
    ByteBuffer b = buf.slice().order(ByteOrder.nativeOrder());
    Map<Integer, ByteBuffer> map = new HashMap<>();
    int at = 0;
    while (b.limit() - at >= Rtnl.NLA_HDRLEN) {
      int len = Short.toUnsignedInt(b.getShort(at));
      int type = Short.toUnsignedInt(b.getShort(at + 2)) & Rtnl.NLA_TYPE_MASK;
      if (len < Rtnl.NLA_HDRLEN || len > b.limit() - at) {
        throw new IllegalArgumentException(
            "attribute "
                + type
                + " at offset "
                + at
                + ": rta_len "
                + len
                + " (expected: 4-"
                + (b.limit() - at)
                + ")");
      }
      map.put(
          type,
          b.slice(at + Rtnl.NLA_HDRLEN, len - Rtnl.NLA_HDRLEN).order(ByteOrder.nativeOrder()));
      at += Rtnl.align(len);
    }
    return new Attributes(map);
  }

  boolean has(int type) {
    return byType.containsKey(type);
  }

  /** The raw value of {@code type}, if present. */
  Optional<ByteBuffer> get(int type) {
    return Optional.ofNullable(byType.get(type));
  }

  /** The value of {@code type} as bytes, if present. */
  Optional<byte[]> bytes(int type) {
    return get(type)
        .map(
            v -> {
              byte[] out = new byte[v.limit()];
              v.get(0, out);
              return out;
            });
  }

  /** A NUL-terminated (or unterminated) string value. */
  Optional<String> string(int type) {
    return bytes(type)
        .map(
            b -> {
              int n = 0;
              while (n < b.length && b[n] != 0) {
                n++;
              }
              return new String(b, 0, n, StandardCharsets.UTF_8);
            });
  }

  /** A {@code u32} value in native order, or {@code fallback} when absent or short. */
  int u32(int type, int fallback) {
    ByteBuffer v = byType.get(type);
    return v != null && v.limit() >= 4 ? v.getInt(0) : fallback;
  }

  /** The attributes nested in {@code type}, if present. */
  Optional<Attributes> nested(int type) {
    return get(type).map(Attributes::parse);
  }
}
