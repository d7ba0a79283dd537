package io.jilium.agent.observer.store;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The segment file format, in one place. All integers are big-endian.
 *
 * <pre>
 * segment  = file-header block* [footer]            (no footer: the segment being written)
 * file-header (16) = magic "JLFS" | version u32 | seq u64
 * block    = block-header (40) | payload
 * block-header = magic "JLFB" | codec u8 | 3 zero bytes | stored-length u32 | raw-length u32
 *              | count u32 | min-time i64 | max-time i64 | crc32c u32
 *                (crc32c covers the 36 header bytes before it and the stored payload)
 * payload  = raw records, or raw records compressed with raw DEFLATE (codec 1)
 * records  = Flow messages exactly as protobuf's writeDelimitedTo writes them (varint length, bytes)
 * footer   = magic "JLFI" | blocks u32 | flows u64 | min-time i64 | max-time i64
 *            | blocks x (offset u64 | length u32 | count u32 | min-time i64 | max-time i64)
 *            | crc32c u32 (of the footer before it)
 *            | footer-length u32 (from the footer's magic to the end of the file) | magic "JLFE"
 * </pre>
 *
 * Times are nanoseconds since the epoch of {@code Flow.time}.
 */
final class StoreFormat {
  private StoreFormat() {}

  static final int FILE_MAGIC = 0x4A4C4653; // "JLFS"
  static final int VERSION = 1;
  static final int FILE_HEADER_BYTES = 16;

  static final int BLOCK_MAGIC = 0x4A4C4642; // "JLFB"
  static final int BLOCK_HEADER_BYTES = 40;
  static final int BLOCK_CRC_OFFSET = 36;
  static final byte CODEC_NONE = 0;
  static final byte CODEC_DEFLATE = 1;

  /** Upper bound for a block's lengths; anything larger is corruption, not data. */
  static final int MAX_BLOCK_BYTES = 1 << 30;

  static final int FOOTER_MAGIC = 0x4A4C4649; // "JLFI"
  static final int TRAILER_MAGIC = 0x4A4C4645; // "JLFE"
  static final int FOOTER_FIXED_BYTES = 32;
  static final int FOOTER_ENTRY_BYTES = 32;
  static final int TRAILER_BYTES = 8;

  static final String SUFFIX = ".flows";

  static String fileName(long seq) {
    return String.format("%020d%s", seq, SUFFIX);
  }

  /** The sequence number of a segment file name, or -1 for any other file. */
  static long parseSeq(String name) {
    if (name.length() != 20 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
      return -1;
    }
    for (int i = 0; i < 20; i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return -1;
      }
    }
    return Long.parseLong(name, 0, 20, 10);
  }

  static ByteBuffer fileHeader(long seq) {
    return ByteBuffer.allocate(FILE_HEADER_BYTES)
        .putInt(FILE_MAGIC)
        .putInt(VERSION)
        .putLong(seq)
        .flip();
  }

  /** Size of the footer (with trailer) for a segment of {@code blocks} blocks. */
  static long footerBytes(int blocks) {
    return FOOTER_FIXED_BYTES + (long) blocks * FOOTER_ENTRY_BYTES + 4 + TRAILER_BYTES;
  }

  /** Fills the header of a block whose payload starts at {@code buf[BLOCK_HEADER_BYTES]}. */
  static void writeBlockHeader(
      byte[] buf, byte codec, int stored, int raw, int count, long minTime, long maxTime) {
    ByteBuffer b = ByteBuffer.wrap(buf, 0, BLOCK_HEADER_BYTES);
    b.putInt(BLOCK_MAGIC).put(codec).put((byte) 0).put((byte) 0).put((byte) 0);
    b.putInt(stored).putInt(raw).putInt(count).putLong(minTime).putLong(maxTime);
    b.putInt(blockCrc(buf, 0, stored));
  }

  static int blockCrc(byte[] buf, int blockStart, int stored) {
    CRC32C crc = new CRC32C();
    crc.update(buf, blockStart, BLOCK_CRC_OFFSET);
    crc.update(buf, blockStart + BLOCK_HEADER_BYTES, stored);
    return (int) crc.getValue();
  }

  /** A parsed block header; {@link #parse} checks everything that can be checked without data. */
  record BlockHeader(
      byte codec, int stored, int raw, int count, long minTime, long maxTime, int crc) {

    static BlockHeader parse(byte[] b, int off) throws CorruptBlockException {
      ByteBuffer h = ByteBuffer.wrap(b, off, BLOCK_HEADER_BYTES);
      int magic = h.getInt();
      if (magic != BLOCK_MAGIC) {
        throw new CorruptBlockException(String.format("bad block magic 0x%08x", magic));
      }
      byte codec = h.get();
      h.position(h.position() + 3);
      int stored = h.getInt();
      int raw = h.getInt();
      int count = h.getInt();
      long min = h.getLong();
      long max = h.getLong();
      int crc = h.getInt();
      if (codec != CODEC_NONE && codec != CODEC_DEFLATE) {
        throw new CorruptBlockException("unknown codec " + codec);
      }
      if (stored < 1
          || stored > MAX_BLOCK_BYTES
          || raw < 1
          || raw > MAX_BLOCK_BYTES
          || (codec == CODEC_NONE && raw != stored)
          || count < 1
          || count > raw
          || min > max) {
        throw new CorruptBlockException(
            "implausible block header (stored "
                + stored
                + ", raw "
                + raw
                + ", count "
                + count
                + ", time "
                + min
                + ".."
                + max
                + ")");
      }
      return new BlockHeader(codec, stored, raw, count, min, max, crc);
    }
  }

  static ByteBuffer footer(BlockIndex index) {
    int size = (int) footerBytes(index.blocks());
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putInt(FOOTER_MAGIC)
        .putInt(index.blocks())
        .putLong(index.flows())
        .putLong(index.minTime())
        .putLong(index.maxTime());
    for (int i = 0; i < index.blocks(); i++) {
      b.putLong(index.offset(i))
          .putInt(index.length(i))
          .putInt(index.count(i))
          .putLong(index.minTime(i))
          .putLong(index.maxTime(i));
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    b.putInt(size).putInt(TRAILER_MAGIC);
    return b.flip();
  }

  /**
   * Parses a footer that starts at file offset {@code footerStart}; the blocks it lists must lie
   * between the file header and the footer, in order, without gaps.
   */
  static BlockIndex parseFooter(ByteBuffer b, long footerStart) throws CorruptBlockException {
    int size = b.remaining();
    if (size < footerBytes(0) || b.getInt(0) != FOOTER_MAGIC) {
      throw new CorruptBlockException("no footer");
    }
    int blocks = b.getInt(4);
    if (blocks < 0 || footerBytes(blocks) != size) {
      throw new CorruptBlockException("footer length does not match its block count " + blocks);
    }
    CRC32C crc = new CRC32C();
    crc.update(b.array(), b.arrayOffset(), size - 4 - TRAILER_BYTES);
    if ((int) crc.getValue() != b.getInt(size - 4 - TRAILER_BYTES)) {
      throw new CorruptBlockException("footer checksum mismatch");
    }
    BlockIndex index = BlockIndex.EMPTY;
    long expected = FILE_HEADER_BYTES;
    int p = FOOTER_FIXED_BYTES;
    for (int i = 0; i < blocks; i++, p += FOOTER_ENTRY_BYTES) {
      long offset = b.getLong(p);
      int length = b.getInt(p + 8);
      int count = b.getInt(p + 12);
      long min = b.getLong(p + 16);
      long max = b.getLong(p + 24);
      if (offset != expected || length <= BLOCK_HEADER_BYTES || count < 1 || min > max) {
        throw new CorruptBlockException("footer entry " + i + " is inconsistent");
      }
      index = index.plus(offset, length, count, min, max);
      expected = offset + length;
    }
    if (expected != footerStart) {
      throw new CorruptBlockException(
          "footer blocks end at " + expected + ", footer at " + footerStart);
    }
    return index;
  }

  /** Data that fails a check: a torn write, a foreign file or bit rot. */
  static final class CorruptBlockException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptBlockException(String message) {
      super(message, null, false, false);
    }
  }
}
