package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.ErrnoException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The BPF filesystem, where maps are pinned so they outlive the agent. */
public final class BpfFs {
  private static final MethodHandle MOUNT =
      Downcalls.withErrno(
          Linker.nativeLinker().defaultLookup(),
          "mount",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));

  private BpfFs() {}

  /**
   * Makes sure {@code dir} lies on a bpffs, mounting one at /sys/fs/bpf when nothing is mounted
   * there, then creates {@code dir}.
   */
  public static void ensureMounted(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (mountPointFor(abs) == null) {
      Path root = Path.of("/sys/fs/bpf");
      if (!abs.startsWith(root)) {
        throw new IllegalArgumentException(
            "--bpf-root " + dir + ": not on a bpf filesystem (expected a path under /sys/fs/bpf)");
      }
      mount(root);
    }
    try {
      Files.createDirectories(abs);
    } catch (IOException e) {
      throw new UncheckedIOException("create " + abs, e);
    }
  }

  /** The bpffs mount point containing {@code path}, or null. */
  static Path mountPointFor(Path path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc/self/mounts"));
    } catch (IOException e) {
      throw new UncheckedIOException("read /proc/self/mounts", e);
    }
    Path deepest = null;
    String deepestType = null;
    for (String line : lines) {
      String[] f = line.split(" ");
      if (f.length < 3) {
        continue;
      }
      Path mp = Path.of(f[1]);
      // later lines in /proc/self/mounts are stacked over earlier ones at the same point
      if (path.startsWith(mp) && (deepest == null || mp.getNameCount() >= deepest.getNameCount())) {
        deepest = mp;
        deepestType = f[2];
      }
    }
    return "bpf".equals(deepestType) ? deepest : null;
  }

  private static void mount(Path target) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int rc =
          (int)
              MOUNT.invokeExact(
                  state,
                  arena.allocateFrom("bpf"),
                  arena.allocateFrom(target.toString()),
                  arena.allocateFrom("bpf"),
                  0L,
                  MemorySegment.NULL);
      if (rc < 0) {
        throw new ErrnoException("mount(bpf, " + target + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
