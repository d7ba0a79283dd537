package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * A BPF map held by an fd this object owns. Keys and values are raw segments of exactly {@link
 * #keySize()} and {@link #valueSize()} bytes (per-CPU maps: {@code valueSize} is per CPU, see
 * {@link #isPerCpu()}); typed wrappers in {@code io.jilium.bpf.maps} give them meaning.
 */
public final class BpfMap implements AutoCloseable {
  private final String name;
  private final BpfFd fd;
  private final BpfMapInfo info;

  private BpfMap(String name, BpfFd fd, BpfMapInfo info) {
    this.name = name;
    this.fd = fd;
    this.info = info;
  }

  /** Opens the map pinned at {@code path}. */
  public static BpfMap openPinned(Path path) {
    int fd = BpfFd.objGet(path);
    BpfFd owned = new BpfFd(fd, "map " + path);
    try {
      BpfMapInfo info = BpfMapInfo.of(owned.get(), path.toString());
      return new BpfMap(info.name(), owned, info);
    } catch (RuntimeException e) {
      owned.close();
      throw e;
    }
  }

  /** Opens the map of kernel id {@code id} (such as an inner map of a map-in-map). */
  public static BpfMap openById(int id, String what) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int fd = (int) LibBpf.bpf_map_get_fd_by_id.invokeExact(state, id);
      if (fd < 0) {
        throw new ErrnoException(
            "bpf_map_get_fd_by_id(" + id + ", " + what + ")", Downcalls.errno(state));
      }
      return adopt(fd, what);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Takes ownership of {@code fd} (the caller must not close it). */
  public static BpfMap adopt(int fd, String what) {
    BpfFd owned = new BpfFd(fd, what);
    try {
      BpfMapInfo info = BpfMapInfo.of(fd, what);
      return new BpfMap(info.name().isEmpty() ? what : info.name(), owned, info);
    } catch (RuntimeException e) {
      owned.close();
      throw e;
    }
  }

  /** Creates a new map; {@code name} is truncated by the kernel to 15 characters. */
  public static BpfMap create(
      int type, String name, int keySize, int valueSize, int maxEntries, int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      // struct bpf_map_create_opts: sz at 0, map_flags at 28, 48 bytes
      MemorySegment opts = arena.allocate(48, 8);
      opts.set(java.lang.foreign.ValueLayout.JAVA_LONG, 0, 48);
      opts.set(JAVA_INT, 28, flags);
      String kernelName = name.length() > 15 ? name.substring(0, 15) : name;
      int fd =
          (int)
              LibBpf.bpf_map_create.invokeExact(
                  state,
                  type,
                  arena.allocateFrom(kernelName),
                  keySize,
                  valueSize,
                  maxEntries,
                  opts);
      if (fd < 0) {
        throw new ErrnoException("bpf_map_create(" + name + ")", Downcalls.errno(state));
      }
      return adopt(fd, "map " + name);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  public String name() {
    return name;
  }

  public int fd() {
    return fd.get();
  }

  public BpfMapInfo info() {
    return info;
  }

  public int keySize() {
    return info.keySize();
  }

  public int valueSize() {
    return info.valueSize();
  }

  public int maxEntries() {
    return info.maxEntries();
  }

  public boolean isPerCpu() {
    return info.type() == LibBpf.BPF_MAP_TYPE_PERCPU_HASH
        || info.type() == LibBpf.BPF_MAP_TYPE_PERCPU_ARRAY;
  }

  /** Bytes a lookup writes for one value: per-CPU maps return one 8-byte aligned slot per CPU. */
  public long valueBufferSize() {
    if (!isPerCpu()) {
      return valueSize();
    }
    return (long) ((valueSize() + 7) & ~7) * Native.possibleCpus();
  }

  public void pin(Path path) {
    BpfFd.pin(fd.get(), path);
  }

  /** Inserts or replaces; {@code flags} is BPF_ANY, BPF_NOEXIST or BPF_EXIST. */
  public void update(MemorySegment key, MemorySegment value, long flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int rc = (int) LibBpf.bpf_map_update_elem.invokeExact(state, fd.get(), key, value, flags);
      if (rc < 0) {
        int errno = Downcalls.errno(state);
        if (errno == Errno.E2BIG || errno == Errno.ENOSPC) {
          throw new MapFullException(name, maxEntries(), errno);
        }
        throw new ErrnoException("bpf_map_update_elem(" + name + ")", errno);
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Inserts or replaces {@code count} entries in one call, in order (a concurrent lookup sees each
   * as soon as it is written, as with {@link #update}): keys and values packed at key size and
   * value size strides. Throws {@link MapBatchException} naming the first entry not written.
   */
  public void updateBatch(MemorySegment keys, MemorySegment values, int count) {
    if (count == 0) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      MemorySegment n = arena.allocate(JAVA_INT);
      n.set(JAVA_INT, 0, count);
      int rc =
          (int)
              LibBpf.bpf_map_update_batch.invokeExact(
                  state, fd.get(), keys, values, n, MemorySegment.NULL);
      if (rc < 0) {
        int errno = Downcalls.errno(state);
        int done = n.get(JAVA_INT, 0);
        ErrnoException cause =
            errno == Errno.E2BIG || errno == Errno.ENOSPC
                ? new MapFullException(name, maxEntries(), errno)
                : new ErrnoException("bpf_map_update_batch(" + name + ")", errno);
        throw new MapBatchException(done, count, cause);
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * {@link #updateBatch(MemorySegment, MemorySegment, int)} of {@code entries}, each packed by the
   * typed view's encoders into its key and value slot.
   */
  public <T> void updateBatch(
      List<T> entries,
      BiConsumer<MemorySegment, T> writeKey,
      BiConsumer<MemorySegment, T> writeValue) {
    int ks = keySize();
    int vs = valueSize();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment keys = a.allocate((long) ks * entries.size(), 8);
      MemorySegment values = a.allocate((long) vs * entries.size(), 8);
      for (int i = 0; i < entries.size(); i++) {
        writeKey.accept(keys.asSlice((long) i * ks, ks), entries.get(i));
        writeValue.accept(values.asSlice((long) i * vs, vs), entries.get(i));
      }
      updateBatch(keys, values, entries.size());
    }
  }

  /**
   * {@link #deleteBatch(MemorySegment, int)} of {@code keys}, packed by the typed view's encoder.
   */
  public <T> int deleteBatch(List<T> keys, BiConsumer<MemorySegment, T> writeKey) {
    int ks = keySize();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment packed = a.allocate((long) ks * keys.size(), 8);
      for (int i = 0; i < keys.size(); i++) {
        writeKey.accept(packed.asSlice((long) i * ks, ks), keys.get(i));
      }
      return deleteBatch(packed, keys.size());
    }
  }

  /**
   * Deletes {@code count} keys (packed at key size stride), in order, skipping absent ones; returns
   * how many were present. Throws {@link MapBatchException} naming the first key not deleted.
   */
  public int deleteBatch(MemorySegment keys, int count) {
    int deleted = 0;
    int from = 0;
    long keySize = keySize();
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      MemorySegment n = arena.allocate(JAVA_INT);
      while (from < count) {
        n.set(JAVA_INT, 0, count - from);
        int rc =
            (int)
                LibBpf.bpf_map_delete_batch.invokeExact(
                    state, fd.get(), keys.asSlice(from * keySize), n, MemorySegment.NULL);
        int done = n.get(JAVA_INT, 0);
        deleted += done;
        if (rc >= 0) {
          break;
        }
        int errno = Downcalls.errno(state);
        if (errno != Errno.ENOENT) {
          throw new MapBatchException(
              from + done, count, new ErrnoException("bpf_map_delete_batch(" + name + ")", errno));
        }
        from += done + 1; // the absent key stopped the batch: go on after it
      }
      return deleted;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Reads the value for {@code key} into {@code valueOut}; false when absent. */
  public boolean lookup(MemorySegment key, MemorySegment valueOut) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int rc = (int) LibBpf.bpf_map_lookup_elem.invokeExact(state, fd.get(), key, valueOut);
      if (rc < 0) {
        int errno = Downcalls.errno(state);
        if (errno == Errno.ENOENT) {
          return false;
        }
        throw new ErrnoException("bpf_map_lookup_elem(" + name + ")", errno);
      }
      return true;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Deletes {@code key}; false when it was absent. */
  public boolean delete(MemorySegment key) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int rc = (int) LibBpf.bpf_map_delete_elem.invokeExact(state, fd.get(), key);
      if (rc < 0) {
        int errno = Downcalls.errno(state);
        if (errno == Errno.ENOENT) {
          return false;
        }
        throw new ErrnoException("bpf_map_delete_elem(" + name + ")", errno);
      }
      return true;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Writes the key after {@code key} (or the first key when {@code key} is null) into {@code
   * nextOut}; false at the end.
   */
  public boolean nextKey(MemorySegment key, MemorySegment nextOut) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      MemorySegment k = key == null ? MemorySegment.NULL : key;
      int rc = (int) LibBpf.bpf_map_get_next_key.invokeExact(state, fd.get(), k, nextOut);
      if (rc < 0) {
        int errno = Downcalls.errno(state);
        if (errno == Errno.ENOENT) {
          return false;
        }
        throw new ErrnoException("bpf_map_get_next_key(" + name + ")", errno);
      }
      return true;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Calls {@code visitor} with every (key, value) pair. The segments are reused between calls: copy
   * what must outlive the call. Entries deleted concurrently may be skipped.
   */
  public void forEach(BiConsumer<MemorySegment, MemorySegment> visitor) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment prev = arena.allocate(keySize(), 8);
      MemorySegment next = arena.allocate(keySize(), 8);
      MemorySegment value = arena.allocate(valueBufferSize(), 8);
      boolean has = nextKey(null, next);
      while (has) {
        if (lookup(next, value)) {
          visitor.accept(next, value);
        }
        MemorySegment.copy(next, 0, prev, 0, keySize());
        has = nextKey(prev, next);
      }
    }
  }

  /** Counts entries by walking the keys. O(entries): for status views, not hot paths. */
  public long countEntries() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment prev = arena.allocate(keySize(), 8);
      MemorySegment next = arena.allocate(keySize(), 8);
      long n = 0;
      boolean has = nextKey(null, next);
      while (has) {
        n++;
        MemorySegment.copy(next, 0, prev, 0, keySize());
        has = nextKey(prev, next);
      }
      return n;
    }
  }

  @Override
  public void close() {
    fd.close();
  }

  @Override
  public String toString() {
    return "BpfMap[" + name + ", fd=" + fd + "]";
  }
}
