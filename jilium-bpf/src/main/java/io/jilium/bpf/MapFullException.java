package io.jilium.bpf;

import io.jilium.bpf.sys.ErrnoException;

/** A map refused an insert because it holds {@code maxEntries} already. */
public final class MapFullException extends ErrnoException {
  private final String map;
  private final int maxEntries;

  public MapFullException(String map, int maxEntries, int errno) {
    super("bpf_map_update_elem(" + map + ")", errno, "map is full: " + maxEntries + " entries");
    this.map = map;
    this.maxEntries = maxEntries;
  }

  public String map() {
    return map;
  }

  public int maxEntries() {
    return maxEntries;
  }
}
