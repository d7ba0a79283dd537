package io.jilium.bpf.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Builds downcall handles that capture errno, the way every native call in Jilium is made. The
 * handles take a leading {@link MemorySegment} for the captured state: allocate it with {@link
 * #allocateCallState(Arena)} and read it with {@link #errno(MemorySegment)}.
 */
public final class Downcalls {
  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

  private Downcalls() {}

  /** A handle for {@code name} in {@code lookup} whose first argument is the call-state segment. */
  public static MethodHandle withErrno(SymbolLookup lookup, String name, FunctionDescriptor fd) {
    MemorySegment symbol =
        lookup
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("native symbol not found: " + name));
    return LINKER.downcallHandle(symbol, fd, CAPTURE_ERRNO);
  }

  /** A plain handle, for calls that cannot fail or report failure otherwise. */
  public static MethodHandle plain(SymbolLookup lookup, String name, FunctionDescriptor fd) {
    MemorySegment symbol =
        lookup
            .find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("native symbol not found: " + name));
    return LINKER.downcallHandle(symbol, fd);
  }

  public static MemorySegment allocateCallState(Arena arena) {
    return arena.allocate(CAPTURE_LAYOUT);
  }

  public static int errno(MemorySegment callState) {
    return (int) ERRNO.get(callState, 0L);
  }

  /** C {@code size_t}, {@code long} on this platform. */
  public static final ValueLayout.OfLong SIZE_T = ValueLayout.JAVA_LONG;
}
