package io.jilium.bpf.maps;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Network-order fields inside native structs. */
final class Bytes {
  private static final ValueLayout.OfShort BE16 =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private Bytes() {}

  static void putBe16(MemorySegment s, long offset, int v) {
    s.set(BE16, offset, (short) v);
  }

  static int getBe16(MemorySegment s, long offset) {
    return s.get(BE16, offset) & 0xffff;
  }

  static void putBytes(MemorySegment s, long offset, byte[] b) {
    MemorySegment.copy(b, 0, s, ValueLayout.JAVA_BYTE, offset, b.length);
  }

  static byte[] getBytes(MemorySegment s, long offset, int len) {
    byte[] b = new byte[len];
    MemorySegment.copy(s, ValueLayout.JAVA_BYTE, offset, b, 0, len);
    return b;
  }
}
