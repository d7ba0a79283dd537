package io.jilium.agent.observer.store;

import static io.jilium.agent.observer.store.StoreFormat.BLOCK_HEADER_BYTES;

import com.google.protobuf.CodedOutputStream;
import io.jilium.api.flow.Flow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Collects records for one block in memory and encodes the block (header, optionally compressed
 * payload). Used only under the store's write lock.
 */
final class BlockWriter implements AutoCloseable {
  private final int blockBytes;
  private final Deflater deflater;
  private byte[] raw;
  private byte[] out;
  private int pos = BLOCK_HEADER_BYTES;
  private int count;
  private long minTime = Long.MAX_VALUE;
  private long maxTime = Long.MIN_VALUE;

  BlockWriter(int blockBytes, FlowStore.Compression compression) {
    this.blockBytes = blockBytes;
    this.raw = new byte[BLOCK_HEADER_BYTES + blockBytes];
    this.deflater =
        compression == FlowStore.Compression.DEFLATE
            ? new Deflater(Deflater.BEST_SPEED, /* nowrap= */ true)
            : null;
    this.out = deflater == null ? null : new byte[BLOCK_HEADER_BYTES + blockBytes];
  }

  boolean isEmpty() {
    return count == 0;
  }

  int count() {
    return count;
  }

  long minTime() {
    return minTime;
  }

  long maxTime() {
    return maxTime;
  }

  /** Whether a record of {@code size} bytes still fits; an empty block takes any record. */
  boolean fits(int size) {
    return count == 0 || pos + CodedOutputStream.computeUInt32SizeNoTag(size) + size <= raw.length;
  }

  void add(Flow flow, int size, long time) {
    int need = CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    if (pos + need > raw.length) {
      // Only an empty block gets here (see fits): one record larger than a block.
      raw = new byte[pos + need];
    }
    CodedOutputStream cos = CodedOutputStream.newInstance(raw, pos, need);
    try {
      cos.writeUInt32NoTag(size);
      flow.writeTo(cos);
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      // An array-backed stream fails only when the serialized size was wrong.
      throw new UncheckedIOException("flow serialization: size changed while writing", e);
    }
    pos += need;
    count++;
    minTime = Math.min(minTime, time);
    maxTime = Math.max(maxTime, time);
  }

  /** The encoded block (header and payload); valid until {@link #reset()}. */
  ByteBuffer encode() {
    int rawLen = pos - BLOCK_HEADER_BYTES;
    if (deflater != null) {
      if (out.length < raw.length) {
        out = new byte[raw.length];
      }
      deflater.reset();
      deflater.setInput(raw, BLOCK_HEADER_BYTES, rawLen);
      deflater.finish();
      int n = 0;
      while (!deflater.finished() && n < rawLen) {
        n += deflater.deflate(out, BLOCK_HEADER_BYTES + n, rawLen - n);
      }
      if (deflater.finished() && n < rawLen) {
        StoreFormat.writeBlockHeader(
            out, StoreFormat.CODEC_DEFLATE, n, rawLen, count, minTime, maxTime);
        return ByteBuffer.wrap(out, 0, BLOCK_HEADER_BYTES + n);
      }
      // Incompressible: store as is.
    }
    StoreFormat.writeBlockHeader(
        raw, StoreFormat.CODEC_NONE, rawLen, rawLen, count, minTime, maxTime);
    return ByteBuffer.wrap(raw, 0, pos);
  }

  void reset() {
    pos = BLOCK_HEADER_BYTES;
    count = 0;
    minTime = Long.MAX_VALUE;
    maxTime = Long.MIN_VALUE;
    if (raw.length > BLOCK_HEADER_BYTES + blockBytes) {
      raw = new byte[BLOCK_HEADER_BYTES + blockBytes];
      if (out != null) {
        out = new byte[BLOCK_HEADER_BYTES + blockBytes];
      }
    }
  }

  @Override
  public void close() {
    if (deflater != null) {
      deflater.end();
    }
  }
}
