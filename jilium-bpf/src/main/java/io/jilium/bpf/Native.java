package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

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

/** Small native utilities shared by the typed BPF objects. */
final class Native {
  private static final MethodHandle CLOSE =
      Downcalls.withErrno(
          Linker.nativeLinker().defaultLookup(),
          "close",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private static volatile int possibleCpus;

  private Native() {}

  static void close(int fd) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int rc = (int) CLOSE.invokeExact(state, fd);
      if (rc < 0) {
        throw new ErrnoException("close(" + fd + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Number of possible CPUs, the slot count of per-CPU map values (/sys/.../possible). */
  static int possibleCpus() {
    int n = possibleCpus;
    if (n == 0) {
      try {
        n = parseCpuRange(Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim());
      } catch (IOException e) {
        throw new UncheckedIOException("read /sys/devices/system/cpu/possible", e);
      }
      possibleCpus = n;
    }
    return n;
  }

  static int parseCpuRange(String s) {
    int max = -1;
    for (String part : s.split(",")) {
      String[] range = part.split("-");
      max = Math.max(max, Integer.parseInt(range[range.length - 1].trim()));
    }
    return max + 1;
  }

  /** Lets unchecked exceptions through and wraps what a MethodHandle declares but cannot throw. */
  static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("unexpected checked exception from a native call", t);
  }
}
