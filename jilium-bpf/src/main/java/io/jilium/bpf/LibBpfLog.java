package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes libbpf's own messages (warnings about maps, verifier retries) into the agent's log instead
 * of stderr. libbpf has one process-wide print callback, so this is installed once.
 */
final class LibBpfLog {
  private static final Logger LOG = LoggerFactory.getLogger("libbpf");
  private static final int LIBBPF_WARN = 0;
  private static final int LIBBPF_INFO = 1;
  private static final MethodHandle VSNPRINTF =
      Downcalls.plain(
          Linker.nativeLinker().defaultLookup(),
          "vsnprintf",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
  private static boolean installed;

  private LibBpfLog() {}

  static synchronized void install() {
    if (installed) {
      return;
    }
    try {
      MethodHandle target =
          MethodHandles.lookup()
              .findStatic(
                  LibBpfLog.class,
                  "print",
                  MethodType.methodType(
                      int.class, int.class, MemorySegment.class, MemorySegment.class));
      // x86-64: a va_list argument decays to a pointer, so vsnprintf can format it for us
      MemorySegment stub =
          Linker.nativeLinker()
              .upcallStub(
                  target,
                  FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
                  Arena.global());
      MemorySegment previous = (MemorySegment) LibBpf.libbpf_set_print.invokeExact(stub);
      installed = previous != null;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  @SuppressWarnings("unused") // upcall from libbpf
  private static int print(int level, MemorySegment fmt, MemorySegment args) {
    try {
      boolean enabled =
          switch (level) {
            case LIBBPF_WARN -> LOG.isWarnEnabled();
            case LIBBPF_INFO -> LOG.isInfoEnabled();
            default -> LOG.isDebugEnabled();
          };
      if (!enabled) {
        return 0;
      }
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment buf = arena.allocate(2048);
        int n = (int) VSNPRINTF.invokeExact(buf, 2048L, fmt, args);
        String msg = buf.getString(0, StandardCharsets.UTF_8).stripTrailing();
        if (msg.contains("Exclusivity flag on")) {
          // bpf_tc_hook_create on a device that has its clsact qdisc already: expected
          level = 2;
        }
        switch (level) {
          case LIBBPF_WARN -> LOG.warn(msg);
          case LIBBPF_INFO -> LOG.info(msg);
          default -> LOG.debug(msg);
        }
        return n;
      }
    } catch (Throwable t) {
      return 0; // never unwind into libbpf
    }
  }
}
