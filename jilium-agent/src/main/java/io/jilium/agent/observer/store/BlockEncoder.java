package io.jilium.agent.observer.store;

import static io.jilium.agent.observer.store.StoreFormat.BLOCK_HEADER_BYTES;

import io.jilium.agent.observer.store.BlockBuilder.RawBlock;
import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/** Compresses a block and fills in its header; owned by the store's I/O thread. */
final class BlockEncoder implements AutoCloseable {
  private final Deflater deflater;
  private byte[] out;

  BlockEncoder(FlowStore.Compression compression) {
    this.deflater =
        compression == FlowStore.Compression.DEFLATE
            ? new Deflater(Deflater.BEST_SPEED, /* nowrap= */ true)
            : null;
    this.out = new byte[0];
  }

  /** The encoded block (header and payload); valid until the next call. */
  ByteBuffer encode(RawBlock b) {
    int rawLen = b.rawLength();
    if (deflater != null) {
      if (out.length < b.end()) {
        out = new byte[b.end()];
      }
      deflater.reset();
      deflater.setInput(b.buf(), BLOCK_HEADER_BYTES, rawLen);
      deflater.finish();
      int n = 0;
      while (!deflater.finished() && n < rawLen) {
        n += deflater.deflate(out, BLOCK_HEADER_BYTES + n, rawLen - n);
      }
      if (deflater.finished() && n < rawLen) {
        StoreFormat.writeBlockHeader(
            out, StoreFormat.CODEC_DEFLATE, n, rawLen, b.count(), b.minTime(), b.maxTime());
        return ByteBuffer.wrap(out, 0, BLOCK_HEADER_BYTES + n);
      }
      // Incompressible: stored as is.
    }
    StoreFormat.writeBlockHeader(
        b.buf(), StoreFormat.CODEC_NONE, rawLen, rawLen, b.count(), b.minTime(), b.maxTime());
    return ByteBuffer.wrap(b.buf(), 0, b.end());
  }

  @Override
  public void close() {
    if (deflater != null) {
      deflater.end();
    }
  }
}
