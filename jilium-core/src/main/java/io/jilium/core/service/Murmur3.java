package io.jilium.core.service;

/**
 * MurmurHash3 x64_128 (Austin Appleby's reference {@code MurmurHash3_x64_128}), the hash Cilium's
 * {@code pkg/murmur3.Hash128} computes: both lanes start at the 32-bit seed, blocks and tail are
 * read little-endian.
 */
final class Murmur3 {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Murmur3() {}

  /** The two 64-bit halves {@code {h1, h2}} of the 128-bit hash of {@code data}. */
  static long[] hash128(byte[] data, int seed) {
    long h1 = Integer.toUnsignedLong(seed);
    long h2 = h1;
    int blocks = data.length / 16;
    for (int i = 0; i < blocks; i++) {
      long k1 = littleEndian(data, i * 16, 8);
      long k2 = littleEndian(data, i * 16 + 8, 8);
      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27) + h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31) + h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    int tail = blocks * 16;
    int rest = data.length - tail;
    if (rest > 8) {
      h2 ^= mixK2(littleEndian(data, tail + 8, rest - 8));
    }
    if (rest > 0) {
      h1 ^= mixK1(littleEndian(data, tail, Math.min(rest, 8)));
    }
    h1 ^= data.length;
    h2 ^= data.length;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    h2 += h1;
    return new long[] {h1, h2};
  }

  private static long mixK1(long k1) {
    return Long.rotateLeft(k1 * C1, 31) * C2;
  }

  private static long mixK2(long k2) {
    return Long.rotateLeft(k2 * C2, 33) * C1;
  }

  private static long littleEndian(byte[] b, int from, int count) {
    long v = 0;
    for (int i = count - 1; i >= 0; i--) {
      v = (v << 8) | (b[from + i] & 0xffL);
    }
    return v;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
