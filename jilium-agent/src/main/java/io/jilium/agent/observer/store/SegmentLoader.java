package io.jilium.agent.observer.store;

import static io.jilium.agent.observer.store.StoreFormat.FILE_HEADER_BYTES;

import io.jilium.agent.observer.store.StoreFormat.BlockHeader;
import io.jilium.agent.observer.store.StoreFormat.CorruptBlockException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Opens existing segment files when the store opens. A sealed segment costs two small reads (the
 * trailer and the footer). A segment without a valid footer was being written when the agent
 * stopped: its blocks are checked one by one, the first torn or corrupt block and everything after
 * it is truncated away, and the segment is sealed.
 */
final class SegmentLoader {
  private SegmentLoader() {}

  /** The outcome for one file: its segment (null when nothing was left) and what was dropped. */
  record Loaded(Segment segment, boolean recovered, long bytesDropped, boolean setAside) {}

  static Loaded load(Path path, long seq, BlockReader reader) {
    Loaded loaded = inspect(path, seq, reader);
    // Files are deleted or renamed only after inspect closed them.
    try {
      if (loaded.setAside()) {
        Path aside = path.resolveSibling(path.getFileName() + ".corrupt");
        Files.move(path, aside, StandardCopyOption.REPLACE_EXISTING);
      } else if (loaded.segment() == null) {
        Files.delete(path);
      }
    } catch (IOException e) {
      throw new FlowStoreException(
          path, loaded.setAside() ? "set aside" : "delete empty segment", e);
    }
    return loaded;
  }

  private static Loaded inspect(Path path, long seq, BlockReader reader) {
    try (FileChannel ch =
        FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      if (size < FILE_HEADER_BYTES) {
        return new Loaded(null, true, size, false); // created, header not yet written
      }
      ByteBuffer h = ByteBuffer.allocate(FILE_HEADER_BYTES);
      BlockReader.readFully(ch, h, 0);
      if (h.getInt(0) != StoreFormat.FILE_MAGIC
          || h.getInt(4) != StoreFormat.VERSION
          || h.getLong(8) != seq) {
        return new Loaded(null, false, 0, true);
      }
      BlockIndex sealed = readFooter(ch, size);
      if (sealed != null) {
        return new Loaded(new Segment(seq, path, sealed), false, 0, false);
      }
      BlockIndex index = BlockIndex.EMPTY;
      long pos = FILE_HEADER_BYTES;
      while (pos < size) {
        BlockHeader b;
        try {
          b = reader.scan(ch, pos, size);
        } catch (CorruptBlockException e) {
          break;
        }
        int length = StoreFormat.BLOCK_HEADER_BYTES + b.stored();
        index = index.plus(pos, length, b.count(), b.minTime(), b.maxTime());
        pos += length;
      }
      long dropped = size - pos;
      if (index.blocks() == 0) {
        return new Loaded(null, true, dropped, false);
      }
      ch.truncate(pos);
      ByteBuffer footer = StoreFormat.footer(index);
      while (footer.hasRemaining()) {
        ch.write(footer, pos + footer.position());
      }
      ch.force(true);
      return new Loaded(new Segment(seq, path, index), true, dropped, false);
    } catch (IOException e) {
      throw new FlowStoreException(path, "open segment", e);
    }
  }

  /** The index from a valid footer, or null when the segment has none. */
  private static BlockIndex readFooter(FileChannel ch, long size) throws IOException {
    if (size < FILE_HEADER_BYTES + StoreFormat.footerBytes(0)) {
      return null;
    }
    ByteBuffer t = ByteBuffer.allocate(StoreFormat.TRAILER_BYTES);
    BlockReader.readFully(ch, t, size - StoreFormat.TRAILER_BYTES);
    int footerLength = t.getInt(0);
    if (t.getInt(4) != StoreFormat.TRAILER_MAGIC
        || footerLength < StoreFormat.footerBytes(0)
        || footerLength > size - FILE_HEADER_BYTES) {
      return null;
    }
    ByteBuffer f = ByteBuffer.allocate(footerLength);
    BlockReader.readFully(ch, f, size - footerLength);
    try {
      return StoreFormat.parseFooter(f.flip(), size - footerLength);
    } catch (CorruptBlockException e) {
      return null;
    }
  }
}
