package io.jilium.agent.observer.store;

import static io.jilium.agent.observer.store.StoreFormat.BLOCK_HEADER_BYTES;

import com.google.protobuf.InvalidProtocolBufferException;
import io.jilium.agent.observer.store.StoreFormat.BlockHeader;
import io.jilium.agent.observer.store.StoreFormat.CorruptBlockException;
import io.jilium.api.flow.Flow;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads, checks and decodes blocks for one reader (one query or the recovery scan); not shared
 * between threads.
 */
final class BlockReader implements AutoCloseable {
  private byte[] buf = new byte[BLOCK_HEADER_BYTES + 64 * 1024];
  private byte[] raw = new byte[64 * 1024];
  private Inflater inflater;
  private byte[] payload;
  private int payloadOffset;
  private int payloadLength;

  /** Receives each record of a block; returns false to stop. */
  interface RecordSink {
    boolean accept(Flow flow, long time);
  }

  /**
   * Reads the block of {@code length} bytes at {@code offset}, checks it and makes its records
   * available to {@link #forEach}.
   */
  void read(FileChannel ch, long offset, int length) throws IOException, CorruptBlockException {
    if (buf.length < length) {
      buf = new byte[length];
    }
    readFully(ch, ByteBuffer.wrap(buf, 0, length), offset);
    BlockHeader h = BlockHeader.parse(buf, 0);
    if (BLOCK_HEADER_BYTES + h.stored() != length) {
      throw new CorruptBlockException(
          "block length " + (BLOCK_HEADER_BYTES + h.stored()) + " (index says " + length + ")");
    }
    check(h);
    decompress(h);
  }

  /**
   * Reads and checks the block header at {@code offset} and its payload (used by recovery, which
   * has no index). Returns the header; the block spans {@code 40 + stored} bytes.
   */
  BlockHeader scan(FileChannel ch, long offset, long fileSize)
      throws IOException, CorruptBlockException {
    if (offset + BLOCK_HEADER_BYTES > fileSize) {
      throw new CorruptBlockException("torn block header");
    }
    readFully(ch, ByteBuffer.wrap(buf, 0, BLOCK_HEADER_BYTES), offset);
    BlockHeader h = BlockHeader.parse(buf, 0);
    if (offset + BLOCK_HEADER_BYTES + h.stored() > fileSize) {
      throw new CorruptBlockException("torn block payload");
    }
    if (buf.length < BLOCK_HEADER_BYTES + h.stored()) {
      buf = Arrays.copyOf(buf, BLOCK_HEADER_BYTES + h.stored());
    }
    readFully(
        ch, ByteBuffer.wrap(buf, BLOCK_HEADER_BYTES, h.stored()), offset + BLOCK_HEADER_BYTES);
    check(h);
    return h;
  }

  private void check(BlockHeader h) throws CorruptBlockException {
    if (StoreFormat.blockCrc(buf, 0, h.stored()) != h.crc()) {
      throw new CorruptBlockException("block checksum mismatch");
    }
  }

  private void decompress(BlockHeader h) throws CorruptBlockException {
    if (h.codec() == StoreFormat.CODEC_NONE) {
      payload = buf;
      payloadOffset = BLOCK_HEADER_BYTES;
      payloadLength = h.raw();
      return;
    }
    if (raw.length < h.raw()) {
      raw = new byte[h.raw()];
    }
    if (inflater == null) {
      inflater = new Inflater(/* nowrap= */ true);
    }
    inflater.reset();
    inflater.setInput(buf, BLOCK_HEADER_BYTES, h.stored());
    try {
      int n = 0;
      while (n < h.raw() && !inflater.finished()) {
        int k = inflater.inflate(raw, n, h.raw() - n);
        if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += k;
      }
      if (n != h.raw() || !inflater.finished()) {
        throw new CorruptBlockException(
            "block inflates to " + n + " bytes (expected " + h.raw() + ")");
      }
    } catch (DataFormatException e) {
      throw new CorruptBlockException("block does not inflate: " + e.getMessage());
    }
    payload = raw;
    payloadOffset = 0;
    payloadLength = h.raw();
  }

  /** Decodes the records of the block last read; false when the sink stopped. */
  boolean forEach(RecordSink sink) throws CorruptBlockException {
    byte[] p = payload;
    int off = payloadOffset;
    int end = off + payloadLength;
    while (off < end) {
      int size = 0;
      int shift = 0;
      while (true) {
        if (off >= end || shift > 28) {
          throw new CorruptBlockException("bad record length");
        }
        byte b = p[off++];
        size |= (b & 0x7f) << shift;
        if (b >= 0) {
          break;
        }
        shift += 7;
      }
      if (size < 0 || size > end - off) {
        throw new CorruptBlockException("record length " + size + " beyond the block");
      }
      Flow flow;
      try {
        flow = Flow.parser().parseFrom(p, off, size);
      } catch (InvalidProtocolBufferException e) {
        throw new CorruptBlockException("record does not parse: " + e.getMessage());
      }
      off += size;
      if (!sink.accept(flow, FlowStore.timeNanos(flow))) {
        return false;
      }
    }
    return true;
  }

  static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
    long p = position;
    while (b.hasRemaining()) {
      int n = ch.read(b, p);
      if (n < 0) {
        throw new EOFException("end of file at " + p);
      }
      p += n;
    }
  }

  @Override
  public void close() {
    if (inflater != null) {
      inflater.end();
    }
  }
}
