package io.jilium.bpf;

import io.jilium.bpf.sys.ErrnoException;

/**
 * A batch write stopped: entries before {@link #index()} were written, the one at it failed (the
 * cause), those after it were not tried.
 */
public final class MapBatchException extends RuntimeException {
  private final int index;

  public MapBatchException(int index, int count, ErrnoException cause) {
    super("entry " + (index + 1) + " of " + count + ": " + cause.getMessage(), cause);
    this.index = index;
  }

  /** The first entry not written (0-based). */
  public int index() {
    return index;
  }

  @Override
  public synchronized ErrnoException getCause() {
    return (ErrnoException) super.getCause();
  }
}
