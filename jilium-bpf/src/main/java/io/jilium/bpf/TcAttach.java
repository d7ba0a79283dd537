package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.OptionalInt;

/**
 * Attaches programs to a device's clsact hooks as direct-action cls_bpf filters. Jilium uses one
 * filter per hook at a fixed handle and priority, so attaching again atomically replaces the
 * program (no window without one) and the filter survives the agent.
 */
public final class TcAttach {
  /** Which clsact hook. */
  public enum Hook {
    INGRESS(LibBpf.BPF_TC_INGRESS),
    EGRESS(LibBpf.BPF_TC_EGRESS);

    final int attachPoint;

    Hook(int attachPoint) {
      this.attachPoint = attachPoint;
    }
  }

  public static final int HANDLE = 1;
  public static final int PRIORITY = 1;

  private TcAttach() {}

  /** Creates the clsact qdisc if missing and attaches (or replaces) the program. */
  public static void attach(int ifindex, Hook hook, int progFd, String what) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      MemorySegment h = hook(arena, ifindex, hook);
      int rc = (int) LibBpf.bpf_tc_hook_create.invokeExact(state, h);
      if (rc < 0 && -rc != Errno.EEXIST) {
        throw new ErrnoException("bpf_tc_hook_create(" + what + ", ifindex " + ifindex + ")", -rc);
      }
      MemorySegment opts = opts(arena);
      opts.set(JAVA_INT, 8, progFd);
      opts.set(JAVA_INT, 12, LibBpf.BPF_TC_F_REPLACE);
      rc = (int) LibBpf.bpf_tc_attach.invokeExact(state, h, opts);
      if (rc < 0) {
        throw new ErrnoException(
            "bpf_tc_attach(" + what + ", ifindex " + ifindex + ", " + hook + ")", -rc);
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** The id of the program attached at Jilium's handle, if any. */
  public static OptionalInt query(int ifindex, Hook hook) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      MemorySegment h = hook(arena, ifindex, hook);
      MemorySegment opts = opts(arena);
      int rc = (int) LibBpf.bpf_tc_query.invokeExact(state, h, opts);
      if (rc < 0) {
        if (-rc == Errno.ENOENT || -rc == Errno.EINVAL || -rc == Errno.ENODEV) {
          return OptionalInt.empty();
        }
        throw new ErrnoException("bpf_tc_query(ifindex " + ifindex + ", " + hook + ")", -rc);
      }
      return OptionalInt.of(opts.get(JAVA_INT, 16));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Removes Jilium's filter from the hook; false when there was none. */
  public static boolean detach(int ifindex, Hook hook) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      MemorySegment h = hook(arena, ifindex, hook);
      MemorySegment opts = opts(arena);
      int rc = (int) LibBpf.bpf_tc_detach.invokeExact(state, h, opts);
      if (rc < 0) {
        if (-rc == Errno.ENOENT || -rc == Errno.EINVAL || -rc == Errno.ENODEV) {
          return false;
        }
        throw new ErrnoException("bpf_tc_detach(ifindex " + ifindex + ", " + hook + ")", -rc);
      }
      return true;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  // struct bpf_tc_hook { size_t sz; int ifindex; enum attach_point; __u32 parent; } = 24 bytes
  private static MemorySegment hook(Arena arena, int ifindex, Hook hook) {
    MemorySegment h = arena.allocate(24, 8);
    h.set(JAVA_LONG, 0, 24);
    h.set(JAVA_INT, 8, ifindex);
    h.set(JAVA_INT, 12, hook.attachPoint);
    return h;
  }

  // struct bpf_tc_opts { size_t sz; int prog_fd; u32 flags, prog_id, handle, priority; } = 32
  private static MemorySegment opts(Arena arena) {
    MemorySegment o = arena.allocate(32, 8);
    o.set(JAVA_LONG, 0, 32);
    o.set(JAVA_INT, 20, HANDLE);
    o.set(JAVA_INT, 24, PRIORITY);
    return o;
  }
}
