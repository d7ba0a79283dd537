package io.jilium.agent.observer.store;

import java.nio.file.Path;

/**
 * One segment file and its block index. The writer publishes a new index after each block it
 * writes; readers take {@link #index()} once and read only the blocks it lists.
 */
final class Segment {
  private final long seq;
  private final Path path;
  private volatile BlockIndex index;

  Segment(long seq, Path path, BlockIndex index) {
    this.seq = seq;
    this.path = path;
    this.index = index;
  }

  long seq() {
    return seq;
  }

  Path path() {
    return path;
  }

  BlockIndex index() {
    return index;
  }

  void publish(BlockIndex next) {
    index = next;
  }

  /**
   * Bytes this segment occupies once sealed (blocks plus footer). For the segment being written
   * this is slightly more than the file holds, so the size cap already accounts for its footer.
   */
  long bytes() {
    BlockIndex i = index;
    return i.end() + StoreFormat.footerBytes(i.blocks());
  }
}
