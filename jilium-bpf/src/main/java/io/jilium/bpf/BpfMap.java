package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
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
