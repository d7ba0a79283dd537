package io.jilium.bpf.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Downcalls into the C library (glibc) for sockets, files, mounts and namespaces. Each helper makes
 * one call with errno captured and throws {@link ErrnoException} naming the call and its arguments
 * when it fails; callers that expect an errno (EEXIST, ENOENT) catch it and test {@link
 * ErrnoException#errno()}. Constants are the x86_64 Linux values.
 */
public final class LibC {
  // <sys/socket.h>, <linux/netlink.h>
  public static final int AF_UNSPEC = 0;
  public static final int AF_UNIX = 1;
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;
  public static final int AF_NETLINK = 16;
  public static final int SOCK_STREAM = 1;
  public static final int SOCK_DGRAM = 2;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int SOL_SOCKET = 1;
  public static final int SO_SNDBUF = 7;
  public static final int SO_RCVBUF = 8;

  /** {@code SO_RCVTIMEO_OLD}: takes a 16-byte {@code struct timeval} on x86_64. */
  public static final int SO_RCVTIMEO = 20;

  public static final int SO_NETNS_COOKIE = 71;
  public static final int SOL_NETLINK = 270;
  public static final int MSG_PEEK = 0x2;
  public static final int MSG_TRUNC = 0x20;

  // <fcntl.h>
  public static final int O_RDONLY = 0;
  public static final int O_CREAT = 0x40;
  public static final int O_EXCL = 0x80;
  public static final int O_CLOEXEC = 0x80000;
  public static final int O_DIRECTORY = 0x10000;

  // <sched.h>, <sys/mount.h>
  public static final int CLONE_NEWNET = 0x40000000;
  public static final long MS_BIND = 4096;
  public static final long MS_REC = 16384;
  public static final long MS_SHARED = 1 << 20;
  public static final int MNT_DETACH = 2;

  private static final SymbolLookup LIBC = Linker.nativeLinker().defaultLookup();

  private static MethodHandle h(String name, FunctionDescriptor fd) {
    return Downcalls.withErrno(LIBC, name, fd);
  }

  private static final MethodHandle SOCKET =
      h("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle BIND =
      h("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle CONNECT =
      h("connect", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle GETPEERNAME =
      h("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle GETSOCKNAME =
      h("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle SENDTO =
      h(
          "sendto",
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle RECVFROM =
      h(
          "recvfrom",
          FunctionDescriptor.of(
              JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle SETSOCKOPT =
      h(
          "setsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle GETSOCKOPT =
      h(
          "getsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  private static final MethodHandle CLOSE = h("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  /** {@code open(path, flags, ...)}: the mode is the first variadic argument. */
  @SuppressWarnings("restricted") // Downcalls has no variadic form; same call as it makes
  private static final MethodHandle OPEN =
      Linker.nativeLinker()
          .downcallHandle(
              LIBC.find("open").orElseThrow(() -> new UnsatisfiedLinkError("open")),
              FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
              Linker.Option.captureCallState("errno"),
              Linker.Option.firstVariadicArg(2));

  private static final MethodHandle UNLINK = h("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  private static final MethodHandle MKDIR =
      h("mkdir", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SETNS =
      h("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle UNSHARE =
      h("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle MOUNT =
      h("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
  private static final MethodHandle UMOUNT2 =
      h("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle GETPID = h("getpid", FunctionDescriptor.of(JAVA_INT));
  private static final MethodHandle GETTID = h("gettid", FunctionDescriptor.of(JAVA_INT));

  private LibC() {}

  /**
   * An owned file descriptor, closed explicitly and at most once. Not for sharing between owners:
   * whoever holds it closes it.
   */
  public static final class Fd implements AutoCloseable {
    private final String what;
    private int fd;

    /** Takes ownership of {@code fd}; {@code what} names it in messages ({@code netns x}). */
    public Fd(int fd, String what) {
      if (fd < 0) {
        throw new IllegalArgumentException("fd: " + fd + " (expected: >= 0)");
      }
      this.fd = fd;
      this.what = what;
    }

    /** The descriptor number; throws if closed. */
    public synchronized int get() {
      if (fd < 0) {
        throw new IllegalStateException(what + " is closed");
      }
      return fd;
    }

    @Override
    public synchronized void close() {
      if (fd >= 0) {
        int n = fd;
        fd = -1;
        LibC.close(n);
      }
    }

    @Override
    public String toString() {
      return what + " (fd " + fd + ")";
    }
  }

  // ---------------------------------------------------------------- sockets

  /** {@code socket(domain, type, protocol)}; returns the new fd. */
  public static int socket(int domain, int type, int protocol) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int fd = (int) SOCKET.invokeExact(state, domain, type, protocol);
      if (fd < 0) {
        throw new ErrnoException(
            "socket(" + domain + ", " + type + ", " + protocol + ")", Downcalls.errno(state));
      }
      return fd;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code bind(fd, addr, addr.byteSize())}. */
  public static void bind(int fd, MemorySegment addr) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) BIND.invokeExact(state, fd, addr, (int) addr.byteSize());
      if (rc < 0) {
        throw new ErrnoException("bind(" + fd + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code connect(fd, addr, addr.byteSize())}, retried on EINTR. */
  public static void connect(int fd, MemorySegment addr) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      while (true) {
        int rc = (int) CONNECT.invokeExact(state, fd, addr, (int) addr.byteSize());
        if (rc == 0) {
          return;
        }
        int errno = Downcalls.errno(state);
        if (errno != Errno.EINTR) {
          throw new ErrnoException("connect(" + fd + ")", errno);
        }
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code getpeername(fd, addr, &len)}; returns the length the kernel wrote. */
  public static int getpeername(int fd, MemorySegment addr) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      MemorySegment len = a.allocateFrom(JAVA_INT, (int) addr.byteSize());
      int rc = (int) GETPEERNAME.invokeExact(state, fd, addr, len);
      if (rc < 0) {
        throw new ErrnoException("getpeername(" + fd + ")", Downcalls.errno(state));
      }
      return len.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code getsockname(fd, addr, &len)}; returns the length the kernel wrote. */
  public static int getsockname(int fd, MemorySegment addr) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      MemorySegment len = a.allocateFrom(JAVA_INT, (int) addr.byteSize());
      int rc = (int) GETSOCKNAME.invokeExact(state, fd, addr, len);
      if (rc < 0) {
        throw new ErrnoException("getsockname(" + fd + ")", Downcalls.errno(state));
      }
      return len.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code sendto(fd, buf, len, flags, NULL, 0)}, retried on EINTR; returns the bytes sent. {@code
   * what} names the request in the exception.
   */
  public static long send(int fd, MemorySegment buf, long len, int flags, String what) {
    return sendTo(fd, buf, len, flags, MemorySegment.NULL, what);
  }

  /**
   * {@code sendto(fd, buf, len, flags, to, to.byteSize())} ({@code to} NULL: connected), retried on
   * EINTR; returns the bytes sent.
   */
  public static long sendTo(
      int fd, MemorySegment buf, long len, int flags, MemorySegment to, String what) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      while (true) {
        long n = (long) SENDTO.invokeExact(state, fd, buf, len, flags, to, (int) to.byteSize());
        if (n >= 0) {
          return n;
        }
        int errno = Downcalls.errno(state);
        if (errno != Errno.EINTR) {
          throw new ErrnoException("sendto(" + what + ")", errno);
        }
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code recvfrom(fd, buf, buf.byteSize(), flags, NULL, NULL)}, retried on EINTR; returns the
   * length (with MSG_TRUNC: the real length of the datagram, which may exceed the buffer).
   */
  public static long recv(int fd, MemorySegment buf, int flags, String what) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      while (true) {
        long n =
            (long)
                RECVFROM.invokeExact(
                    state, fd, buf, buf.byteSize(), flags, MemorySegment.NULL, MemorySegment.NULL);
        if (n >= 0) {
          return n;
        }
        int errno = Downcalls.errno(state);
        if (errno != Errno.EINTR) {
          throw new ErrnoException("recvfrom(" + what + ")", errno);
        }
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code setsockopt(fd, level, name, value, value.byteSize())}. */
  public static void setsockopt(int fd, int level, int name, MemorySegment value) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) SETSOCKOPT.invokeExact(state, fd, level, name, value, (int) value.byteSize());
      if (rc < 0) {
        throw new ErrnoException(
            "setsockopt(" + fd + ", " + level + ", " + name + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code setsockopt} with an {@code int} value. */
  public static void setsockoptInt(int fd, int level, int name, int value) {
    try (Arena a = Arena.ofConfined()) {
      setsockopt(fd, level, name, a.allocateFrom(JAVA_INT, value));
    }
  }

  /** {@code getsockopt(fd, level, name, value, &len)}; returns the length the kernel wrote. */
  public static int getsockopt(int fd, int level, int name, MemorySegment value) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      MemorySegment len = a.allocateFrom(JAVA_INT, (int) value.byteSize());
      int rc = (int) GETSOCKOPT.invokeExact(state, fd, level, name, value, len);
      if (rc < 0) {
        throw new ErrnoException(
            "getsockopt(" + fd + ", " + level + ", " + name + ")", Downcalls.errno(state));
      }
      return len.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code getsockopt} of an {@code int} option. */
  public static int getsockoptInt(int fd, int level, int name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(JAVA_INT);
      getsockopt(fd, level, name, value);
      return value.get(JAVA_INT, 0);
    }
  }

  /** {@code getsockopt} of a 64-bit option ({@code SO_NETNS_COOKIE}). */
  public static long getsockoptLong(int fd, int level, int name) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(JAVA_LONG);
      getsockopt(fd, level, name, value);
      return value.get(JAVA_LONG, 0);
    }
  }

  // ---------------------------------------------------------------- files

  /** {@code close(fd)}. */
  public static void close(int fd) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) CLOSE.invokeExact(state, fd);
      if (rc < 0) {
        throw new ErrnoException("close(" + fd + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code open(path, flags, mode)}; returns the new fd. */
  public static int open(String path, int flags, int mode) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int fd = (int) OPEN.invokeExact(state, a.allocateFrom(path), flags, mode);
      if (fd < 0) {
        throw new ErrnoException("open(" + path + ")", Downcalls.errno(state));
      }
      return fd;
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Opens {@code path} read-only and close-on-exec, as an owned {@link Fd}. */
  public static Fd openReadOnly(String path) {
    return new Fd(open(path, O_RDONLY | O_CLOEXEC, 0), path);
  }

  /** {@code unlink(path)}. */
  public static void unlink(String path) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) UNLINK.invokeExact(state, a.allocateFrom(path));
      if (rc < 0) {
        throw new ErrnoException("unlink(" + path + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code mkdir(path, mode)}. */
  public static void mkdir(String path, int mode) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) MKDIR.invokeExact(state, a.allocateFrom(path), mode);
      if (rc < 0) {
        throw new ErrnoException("mkdir(" + path + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---------------------------------------------------------------- namespaces and mounts

  /** {@code setns(fd, nstype)}: moves the calling thread into the namespace. */
  public static void setns(int fd, int nstype, String what) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) SETNS.invokeExact(state, fd, nstype);
      if (rc < 0) {
        throw new ErrnoException("setns(" + what + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code unshare(flags)}: for the calling thread only. */
  public static void unshare(int flags) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) UNSHARE.invokeExact(state, flags);
      if (rc < 0) {
        throw new ErrnoException(
            "unshare(0x" + Integer.toHexString(flags) + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /**
   * {@code mount(source, target, fstype, flags, NULL)}; a null {@code source} or {@code fstype}
   * passes NULL.
   */
  public static void mount(String source, String target, String fstype, long flags) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      // Locals, not conditionals, as arguments: invokeExact needs their static type exactly.
      MemorySegment src = source == null ? MemorySegment.NULL : a.allocateFrom(source);
      MemorySegment type = fstype == null ? MemorySegment.NULL : a.allocateFrom(fstype);
      int rc =
          (int)
              MOUNT.invokeExact(
                  state, src, a.allocateFrom(target), type, flags, MemorySegment.NULL);
      if (rc < 0) {
        throw new ErrnoException(
            "mount(" + source + ", " + target + ", 0x" + Long.toHexString(flags) + ")",
            Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code umount2(target, flags)}. */
  public static void umount2(String target, int flags) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) UMOUNT2.invokeExact(state, a.allocateFrom(target), flags);
      if (rc < 0) {
        throw new ErrnoException("umount2(" + target + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  // ---------------------------------------------------------------- processes

  /** {@code getpid()}: the process id (the thread-group id). */
  public static int getpid() {
    try (Arena a = Arena.ofConfined()) {
      return (int) GETPID.invokeExact(Downcalls.allocateCallState(a));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** {@code gettid()}: the kernel id of the calling thread. */
  public static int gettid() {
    try (Arena a = Arena.ofConfined()) {
      return (int) GETTID.invokeExact(Downcalls.allocateCallState(a));
    } catch (Throwable t) {
      throw rethrow(t);
    }
  }

  /** Lets unchecked exceptions through; invokeExact declares Throwable but downcalls throw none. */
  private static RuntimeException rethrow(Throwable t) {
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("unexpected checked exception from a native call", t);
  }
}
