package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A compiled BPF object (an ELF file) opened by libbpf: first configured (pin paths), then loaded
 * into the kernel, then its programs are attached by others. Owns the libbpf {@code struct
 * bpf_object}, its program fds and its map fds until {@link #close()}.
 */
public final class BpfObject implements AutoCloseable {
  private static final int LOG_SIZE = 4 * 1024 * 1024;

  private final Path file;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment logBuf;
  private MemorySegment obj;
  private boolean loaded;

  private BpfObject(Path file, MemorySegment obj, MemorySegment logBuf) {
    this.file = file;
    this.obj = obj;
    this.logBuf = logBuf;
  }

  /** Opens (parses) {@code file}; nothing reaches the kernel yet. */
  public static BpfObject open(Path file) {
    LibBpfLog.install();
    Arena arena = Arena.ofConfined();
    try {
      MemorySegment state = Downcalls.allocateCallState(arena);
      // struct bpf_object_open_opts (80 bytes): kernel_log_buf at 56, size at 64, level at 72.
      // A log buffer with level 0 makes libbpf retry a failed load with the verifier log on.
      MemorySegment opts = arena.allocate(80, 8);
      opts.set(JAVA_LONG, 0, 80);
      BpfObject result;
      MemorySegment ownedLog;
      Arena longLived = Arena.ofShared();
      ownedLog = longLived.allocate(LOG_SIZE, 8);
      opts.set(java.lang.foreign.ValueLayout.ADDRESS, 56, ownedLog);
      opts.set(JAVA_LONG, 64, LOG_SIZE);
      opts.set(JAVA_INT, 72, 0);
      MemorySegment o =
          (MemorySegment)
              LibBpf.bpf_object__open_file.invokeExact(
                  state, arena.allocateFrom(file.toString()), opts);
      if (o.address() == 0) {
        longLived.close();
        throw new ErrnoException("bpf_object__open_file(" + file + ")", Downcalls.errno(state));
      }
      result = new BpfObject(file, o, ownedLog);
      result.keepAlive = longLived;
      return result;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    } finally {
      arena.close();
    }
  }

  private Arena keepAlive;

  /** Names of the maps in the object, in ELF order (includes internal maps like .rodata). */
  public List<String> mapNames() {
    List<String> names = new ArrayList<>();
    try {
      MemorySegment state = Downcalls.allocateCallState(arena);
      MemorySegment m = MemorySegment.NULL;
      while (true) {
        m = (MemorySegment) LibBpf.bpf_object__next_map.invokeExact(state, obj(), m);
        if (m.address() == 0) {
          return names;
        }
        MemorySegment name = (MemorySegment) LibBpf.bpf_map__name.invokeExact(state, m);
        names.add(name.reinterpret(256).getString(0, StandardCharsets.UTF_8));
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Before load: each named map is reused from, or created and pinned at, its path. libbpf refuses
   * to reuse a pinned map whose type, sizes or flags differ.
   */
  public void pinMaps(Map<String, Path> pinPaths) {
    checkNotLoaded();
    for (Map.Entry<String, Path> e : pinPaths.entrySet()) {
      MemorySegment map = findMap(e.getKey());
      try (Arena a = Arena.ofConfined()) {
        MemorySegment state = Downcalls.allocateCallState(a);
        int rc =
            (int)
                LibBpf.bpf_map__set_pin_path.invokeExact(
                    state, map, a.allocateFrom(e.getValue().toString()));
        if (rc < 0) {
          throw new ErrnoException(
              "bpf_map__set_pin_path(" + e.getKey() + ", " + e.getValue() + ")",
              Downcalls.errno(state));
        }
      } catch (Throwable t) {
        throw Native.rethrow(t);
      }
    }
  }

  /** Loads every program and creates (or reuses) every map. Verifier failures carry the log. */
  public void load() {
    checkNotLoaded();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      logBuf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 0);
      int rc = (int) LibBpf.bpf_object__load.invokeExact(state, obj());
      if (rc < 0) {
        int errno = Downcalls.errno(state);
        String log = logBuf.getString(0, StandardCharsets.UTF_8);
        throw new BpfLoadException(file, errno, log);
      }
      loaded = true;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** The fd of a loaded program, owned by this object. */
  public int programFd(String name) {
    checkLoaded();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      MemorySegment prog =
          (MemorySegment)
              LibBpf.bpf_object__find_program_by_name.invokeExact(
                  state, obj(), a.allocateFrom(name));
      if (prog.address() == 0) {
        throw new IllegalArgumentException("no program " + name + " in " + file);
      }
      int fd = (int) LibBpf.bpf_program__fd.invokeExact(state, prog);
      if (fd < 0) {
        throw new ErrnoException("bpf_program__fd(" + name + ")", Downcalls.errno(state));
      }
      return fd;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Changes a map's capacity before load (for a ring buffer: its size in bytes). */
  public void setMaxEntries(String name, int maxEntries) {
    checkNotLoaded();
    MemorySegment map = findMap(name);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) LibBpf.bpf_map__set_max_entries.invokeExact(state, map, maxEntries);
      if (rc < 0) {
        throw new ErrnoException(
            "bpf_map__set_max_entries(" + name + ", " + maxEntries + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Before load: sets the value size of the inner map template of a map-in-map, the size every
   * inner map inserted later must have (the verifier checks accesses against it).
   */
  public void setInnerMapValueSize(String outer, int valueSize) {
    checkNotLoaded();
    MemorySegment map = findMap(outer);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      MemorySegment inner = (MemorySegment) LibBpf.bpf_map__inner_map.invokeExact(state, map);
      if (inner.address() == 0) {
        throw new IllegalArgumentException("map " + outer + " in " + file + " has no inner map");
      }
      int rc = (int) LibBpf.bpf_map__set_value_size.invokeExact(state, inner, valueSize);
      if (rc < 0) {
        throw new ErrnoException(
            "bpf_map__set_value_size(inner map of " + outer + ", " + valueSize + ")",
            Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /**
   * Before load: sets the 32-bit global {@code const volatile} variable {@code name} of the
   * object's {@code .rodata}. libbpf freezes .rodata at load, so the verifier sees the value as a
   * constant (bounds it proves with it hold for this load only).
   */
  public void setReadOnlyInt(String name, int value) {
    checkNotLoaded();
    Btf.Variable v;
    try (Btf btf = Btf.parse(file)) {
      v =
          btf.variable(".rodata", name)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException("no .rodata variable " + name + " in " + file));
    }
    if (v.size() != 4) {
      throw new IllegalArgumentException(
          ".rodata variable " + name + " in " + file + ": " + v.size() + " bytes (expected: 4)");
    }
    MemorySegment map = internalMap(".rodata");
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      MemorySegment size = a.allocate(JAVA_LONG);
      MemorySegment init =
          (MemorySegment) LibBpf.bpf_map__initial_value.invokeExact(state, map, size);
      long len = size.get(JAVA_LONG, 0);
      if (init.address() == 0 || v.offset() + 4 > len) {
        throw new IllegalStateException(
            ".rodata of " + file + " (" + len + " bytes) does not hold " + name + " at " + v);
      }
      MemorySegment copy = a.allocate(len, 8);
      MemorySegment.copy(init.reinterpret(len), 0, copy, 0, len);
      copy.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, v.offset(), value);
      int rc = (int) LibBpf.bpf_map__set_initial_value.invokeExact(state, map, copy, len);
      if (rc < 0) {
        throw new ErrnoException(
            "bpf_map__set_initial_value(.rodata of " + file + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** libbpf's map of a data section: its name is the object's name, cut short, plus the suffix. */
  private MemorySegment internalMap(String suffix) {
    String name =
        mapNames().stream()
            .filter(n -> n.endsWith(suffix))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException("no " + suffix + " map in " + file));
    return findMap(name);
  }

  /** A map's definition as the object declares it. */
  public record MapDef(int keySize, int valueSize, int maxEntries) {}

  public MapDef mapDef(String name) {
    MemorySegment map = findMap(name);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int k = (int) LibBpf.bpf_map__key_size.invokeExact(state, map);
      int v = (int) LibBpf.bpf_map__value_size.invokeExact(state, map);
      int n = (int) LibBpf.bpf_map__max_entries.invokeExact(state, map);
      return new MapDef(k, v, n);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** The fd of a created map, owned by this object. */
  public int mapFd(String name) {
    checkLoaded();
    MemorySegment map = findMap(name);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int fd = (int) LibBpf.bpf_map__fd.invokeExact(state, map);
      if (fd < 0) {
        throw new ErrnoException("bpf_map__fd(" + name + ")", Downcalls.errno(state));
      }
      return fd;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  public Path file() {
    return file;
  }

  private MemorySegment findMap(String name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      MemorySegment map =
          (MemorySegment)
              LibBpf.bpf_object__find_map_by_name.invokeExact(state, obj(), a.allocateFrom(name));
      if (map.address() == 0) {
        throw new IllegalArgumentException("no map " + name + " in " + file);
      }
      return map;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private MemorySegment obj() {
    if (obj == null) {
      throw new IllegalStateException("BPF object " + file + " is closed");
    }
    return obj;
  }

  private void checkNotLoaded() {
    if (loaded) {
      throw new IllegalStateException("BPF object " + file + " is already loaded");
    }
  }

  private void checkLoaded() {
    if (!loaded) {
      throw new IllegalStateException("BPF object " + file + " is not loaded");
    }
  }

  /** Closes program and map fds; attached programs and pinned maps stay in the kernel. */
  @Override
  public synchronized void close() {
    if (obj != null) {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment state = Downcalls.allocateCallState(a);
        LibBpf.bpf_object__close.invokeExact(state, obj);
      } catch (Throwable t) {
        throw Native.rethrow(t);
      } finally {
        obj = null;
        arena.close();
        if (keepAlive != null) {
          keepAlive.close();
        }
      }
    }
  }
}
