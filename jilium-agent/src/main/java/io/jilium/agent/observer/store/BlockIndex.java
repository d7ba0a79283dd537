package io.jilium.agent.observer.store;

import java.util.Arrays;

/**
 * Where a segment's blocks are and which times they hold: an append-only snapshot. {@link #plus}
 * returns a new snapshot that may share the arrays of this one; positions below {@link #blocks()}
 * never change, so a reader holding an older snapshot (published through a volatile field) sees
 * consistent entries while the writer appends.
 */
final class BlockIndex {
  static final BlockIndex EMPTY =
      new BlockIndex(
          new long[0],
          new int[0],
          new int[0],
          new long[0],
          new long[0],
          0,
          0,
          Long.MAX_VALUE,
          Long.MIN_VALUE,
          StoreFormat.FILE_HEADER_BYTES);

  private final long[] offsets;
  private final int[] lengths;
  private final int[] counts;
  private final long[] minTimes;
  private final long[] maxTimes;
  private final int blocks;
  private final long flows;
  private final long minTime;
  private final long maxTime;
  private final long end;

  private BlockIndex(
      long[] offsets,
      int[] lengths,
      int[] counts,
      long[] minTimes,
      long[] maxTimes,
      int blocks,
      long flows,
      long minTime,
      long maxTime,
      long end) {
    this.offsets = offsets;
    this.lengths = lengths;
    this.counts = counts;
    this.minTimes = minTimes;
    this.maxTimes = maxTimes;
    this.blocks = blocks;
    this.flows = flows;
    this.minTime = minTime;
    this.maxTime = maxTime;
    this.end = end;
  }

  /** This index with one more block at {@code offset}, which must be {@link #end()}. */
  BlockIndex plus(long offset, int length, int count, long min, long max) {
    if (offset != end) {
      throw new IllegalArgumentException("block offset: " + offset + " (expected: " + end + ")");
    }
    long[] o = offsets;
    int[] l = lengths;
    int[] c = counts;
    long[] mn = minTimes;
    long[] mx = maxTimes;
    if (blocks == o.length) {
      int cap = Math.max(16, blocks * 2);
      o = Arrays.copyOf(o, cap);
      l = Arrays.copyOf(l, cap);
      c = Arrays.copyOf(c, cap);
      mn = Arrays.copyOf(mn, cap);
      mx = Arrays.copyOf(mx, cap);
    }
    o[blocks] = offset;
    l[blocks] = length;
    c[blocks] = count;
    mn[blocks] = min;
    mx[blocks] = max;
    return new BlockIndex(
        o,
        l,
        c,
        mn,
        mx,
        blocks + 1,
        flows + count,
        Math.min(minTime, min),
        Math.max(maxTime, max),
        offset + length);
  }

  int blocks() {
    return blocks;
  }

  long flows() {
    return flows;
  }

  /** Earliest flow time in the segment; {@code Long.MAX_VALUE} when empty. */
  long minTime() {
    return minTime;
  }

  /** Latest flow time in the segment; {@code Long.MIN_VALUE} when empty. */
  long maxTime() {
    return maxTime;
  }

  /** File offset just after the last block. */
  long end() {
    return end;
  }

  long offset(int i) {
    return offsets[i];
  }

  int length(int i) {
    return lengths[i];
  }

  int count(int i) {
    return counts[i];
  }

  long minTime(int i) {
    return minTimes[i];
  }

  long maxTime(int i) {
    return maxTimes[i];
  }

  boolean overlaps(long lo, long hi) {
    return blocks > 0 && minTime <= hi && maxTime >= lo;
  }

  boolean overlaps(int i, long lo, long hi) {
    return minTimes[i] <= hi && maxTimes[i] >= lo;
  }
}
