package io.jilium.agent.observer.store;

import static io.jilium.agent.observer.store.StoreFormat.BLOCK_HEADER_BYTES;

import com.google.protobuf.CodedOutputStream;
import io.jilium.api.flow.Flow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * Serializes appended flows into the block being filled, on the writer's thread (under the store's
 * append lock). A full block is {@link #take() taken} as a {@link RawBlock} and handed to the I/O
 * thread, which compresses and writes it, then {@link #recycle recycles} its buffer.
 */
final class BlockBuilder {
  /**
   * A filled block: records in {@code buf[BLOCK_HEADER_BYTES, end)}, room for the header before.
   */
  record RawBlock(byte[] buf, int end, int count, long minTime, long maxTime) {
    int rawLength() {
      return end - BLOCK_HEADER_BYTES;
    }
  }

  private final int blockBytes;
  private final ArrayBlockingQueue<byte[]> free = new ArrayBlockingQueue<>(8);
  private byte[] buf;
  private int pos = BLOCK_HEADER_BYTES;
  private int count;
  private long minTime = Long.MAX_VALUE;
  private long maxTime = Long.MIN_VALUE;

  BlockBuilder(int blockBytes) {
    this.blockBytes = blockBytes;
    this.buf = new byte[BLOCK_HEADER_BYTES + blockBytes];
  }

  boolean isEmpty() {
    return count == 0;
  }

  /** Whether a record of {@code size} bytes still fits; an empty block takes any record. */
  boolean fits(int size) {
    return count == 0 || pos + CodedOutputStream.computeUInt32SizeNoTag(size) + size <= buf.length;
  }

  /** Appends {@code flow} exactly as {@code writeDelimitedTo} would. */
  void add(Flow flow, int size, long time) {
    int need = CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    if (pos + need > buf.length) {
      // Only an empty block gets here (see fits): one record larger than a block.
      buf = new byte[pos + need];
    }
    CodedOutputStream cos = CodedOutputStream.newInstance(buf, pos, need);
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

  /** The filled block; this builder starts a new one. */
  RawBlock take() {
    RawBlock b = new RawBlock(buf, pos, count, minTime, maxTime);
    byte[] next = free.poll();
    buf = next != null ? next : new byte[BLOCK_HEADER_BYTES + blockBytes];
    pos = BLOCK_HEADER_BYTES;
    count = 0;
    minTime = Long.MAX_VALUE;
    maxTime = Long.MIN_VALUE;
    return b;
  }

  /** Returns a written block's buffer for reuse (any thread). */
  void recycle(RawBlock b) {
    if (b.buf().length == BLOCK_HEADER_BYTES + blockBytes) {
      free.offer(b.buf());
    }
  }
}
