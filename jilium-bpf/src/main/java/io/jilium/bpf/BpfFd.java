package io.jilium.bpf;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/** A kernel fd owned by one object, closed explicitly and at most once. */
final class BpfFd implements AutoCloseable {
  private final String what;
  private int fd;

  BpfFd(int fd, String what) {
    this.fd = fd;
    this.what = what;
  }

  synchronized int get() {
    if (fd < 0) {
      throw new IllegalStateException(what + " is closed");
    }
    return fd;
  }

  static int objGet(Path path) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int fd = (int) LibBpf.bpf_obj_get.invokeExact(state, arena.allocateFrom(path.toString()));
      if (fd < 0) {
        throw new ErrnoException("bpf_obj_get(" + path + ")", Downcalls.errno(state));
      }
      return fd;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  static void pin(int fd, Path path) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int rc = (int) LibBpf.bpf_obj_pin.invokeExact(state, fd, arena.allocateFrom(path.toString()));
      if (rc < 0) {
        throw new ErrnoException("bpf_obj_pin(" + path + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  @Override
  public synchronized void close() {
    if (fd >= 0) {
      Native.close(fd);
      fd = -1;
    }
  }

  @Override
  public synchronized String toString() {
    return Integer.toString(fd);
  }
}
