package io.jilium.cli.rpc;

import java.io.ByteArrayOutputStream;

/**
 * HPACK's static Huffman code (RFC 7541, Appendix B), decode only. The code is canonical, so the
 * per-symbol code lengths of the RFC determine every codeword: symbols sorted by (length, symbol)
 * get consecutive codes, shifted left when the length grows.
 */
final class Huffman {
  /** Code length in bits of symbols 0..255 (RFC 7541 Appendix B); EOS (256) is 30 ones. */
  private static final byte[] LENGTHS = {
    13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
    28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
    6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
    5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
    13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
    7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
    15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
    6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
    20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
    24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
    22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
    21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
    26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
    19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
    20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
    26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26
  };

  private static final int MAX_LENGTH = 30;

  /** For each length: the first code, the index of its first symbol in SORTED, the count. */
  private static final int[] FIRST_CODE = new int[MAX_LENGTH + 2];

  private static final int[] FIRST_INDEX = new int[MAX_LENGTH + 2];
  private static final int[] COUNT = new int[MAX_LENGTH + 2];

  /** Symbols (0..256) in canonical order: by length, then by value. */
  private static final int[] SORTED = new int[257];

  static {
    for (int len = 1; len <= MAX_LENGTH; len++) {
      for (int sym = 0; sym <= 256; sym++) {
        if (length(sym) == len) {
          COUNT[len]++;
        }
      }
    }
    int code = 0;
    int index = 0;
    for (int len = 1; len <= MAX_LENGTH; len++) {
      FIRST_CODE[len] = code;
      FIRST_INDEX[len] = index;
      for (int sym = 0; sym <= 256; sym++) {
        if (length(sym) == len) {
          SORTED[index++] = sym;
        }
      }
      code = (code + COUNT[len]) << 1;
    }
  }

  private Huffman() {}

  private static int length(int sym) {
    return sym == 256 ? MAX_LENGTH : LENGTHS[sym];
  }

  /** The canonical codeword of {@code sym} (for tests and encoders). */
  static int code(int sym) {
    int len = length(sym);
    int rank = 0;
    for (int i = FIRST_INDEX[len]; SORTED[i] != sym; i++) {
      rank++;
    }
    return FIRST_CODE[len] + rank;
  }

  static int codeLength(int sym) {
    return length(sym);
  }

  /** Decodes {@code len} bytes at {@code off}; padding must be a prefix of EOS (all ones). */
  static byte[] decode(byte[] in, int off, int len) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(len * 8 / 5 + 1);
    int code = 0;
    int bits = 0;
    boolean allOnes = true;
    for (int i = off; i < off + len; i++) {
      for (int b = 7; b >= 0; b--) {
        int bit = (in[i] >> b) & 1;
        code = (code << 1) | bit;
        allOnes &= bit == 1;
        bits++;
        int delta = code - FIRST_CODE[bits];
        if (COUNT[bits] > 0 && delta >= 0 && delta < COUNT[bits]) {
          int sym = SORTED[FIRST_INDEX[bits] + delta];
          if (sym == 256) {
            throw new IllegalArgumentException("HPACK: EOS inside a Huffman string");
          }
          out.write(sym);
          code = 0;
          bits = 0;
          allOnes = true;
        } else if (bits >= MAX_LENGTH) {
          throw new IllegalArgumentException("HPACK: invalid Huffman code");
        }
      }
    }
    if (bits > 7 || !allOnes) {
      throw new IllegalArgumentException("HPACK: invalid Huffman padding");
    }
    return out.toByteArray();
  }
}
