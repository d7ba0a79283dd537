package io.jilium.bpf.netns;

import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibC;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Named network namespaces, compatible with iproute2: {@link #create} makes {@code
 * /var/run/netns/NAME} exactly as {@code ip netns add NAME} does, so {@code ip netns list}, {@code
 * ip netns exec} and {@code nsenter --net=PATH} see it, and {@link #callIn} runs Java code inside a
 * namespace.
 *
 * <p>A namespace belongs to a kernel thread, not to the process: everything that enters one does it
 * on a small pool of dedicated platform threads which always return to the process's namespace
 * after each task. Sockets and other kernel objects created inside {@link #callIn} stay in that
 * namespace and can then be used from any thread.
 */
public final class NetworkNamespace {
  /** Where iproute2 keeps named namespaces. */
  public static final Path RUN_DIR = Path.of("/var/run/netns");

  /** Serializes the one-time shared-mount setup of {@link #RUN_DIR} within this process. */
  private static final Object RUN_DIR_LOCK = new Object();

  private NetworkNamespace() {}

  /** Work to run inside a namespace: returns a value, may throw {@code E}. */
  @FunctionalInterface
  public interface Work<T, E extends Exception> {
    T call() throws E;
  }

  /** Work to run inside a namespace that returns nothing. */
  @FunctionalInterface
  public interface VoidWork<E extends Exception> {
    void run() throws E;
  }

  /**
   * The path of the named namespace {@code name}, {@code /var/run/netns/NAME}, whether or not it
   * exists.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid file name
   */
  public static Path path(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()
        || name.length() > 255
        || name.equals(".")
        || name.equals("..")
        || name.indexOf('/') >= 0
        || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "netns name: '" + name + "' (expected: 1-255 characters, no '/', not . or ..)");
    }
    return RUN_DIR.resolve(name);
  }

  /**
   * Creates the named network namespace {@code name} as {@code ip netns add NAME} does: makes
   * {@code /var/run/netns} a shared mount (bind-mounting it onto itself first if it is not a mount
   * point), creates the empty file {@code /var/run/netns/NAME}, and bind-mounts a fresh namespace
   * onto it from a thread that has unshared its network namespace. The new namespace has only a
   * loopback device, down.
   *
   * @return the namespace's path, for {@link #callIn}, {@code Netlink.openIn} or {@code nsenter}
   * @throws ErrnoException with EEXIST if a namespace (or any file) of that name exists, or naming
   *     the failed call
   */
  public static Path create(String name) {
    Path path = path(name);
    String file = path.toString();
    prepareRunDir();
    try {
      LibC.close(LibC.open(file, LibC.O_RDONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0));
    } catch (ErrnoException e) {
      if (e.errno() == Errno.EEXIST) {
        throw new ErrnoException("create netns " + name, Errno.EEXIST, file + " already exists");
      }
      throw e;
    }
    try {
      NamespaceThreads.call(
          () -> {
            LibC.unshare(LibC.CLONE_NEWNET);
            LibC.mount("/proc/thread-self/ns/net", file, "none", LibC.MS_BIND);
            return null;
          });
    } catch (RuntimeException | Error e) {
      try {
        LibC.unlink(file);
      } catch (ErrnoException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    return path;
  }

  /** Deletes the named namespace {@code name}; see {@link #delete(Path)}. */
  public static void delete(String name) {
    delete(path(name));
  }

  /**
   * Deletes a namespace file as {@code ip netns delete} does: detaches its bind mount and removes
   * the file. The namespace itself goes away when nothing else (a process, a socket, another mount)
   * holds it. Idempotent: a missing file or mount is not an error.
   */
  public static void delete(Path netns) {
    String file = netns.toString();
    try {
      LibC.umount2(file, LibC.MNT_DETACH);
    } catch (ErrnoException e) {
      // EINVAL: not a mount point (a half-created namespace); ENOENT: already gone.
      if (e.errno() != Errno.EINVAL && e.errno() != Errno.ENOENT) {
        throw e;
      }
    }
    try {
      LibC.unlink(file);
    } catch (ErrnoException e) {
      if (e.errno() != Errno.ENOENT) {
        throw e;
      }
    }
  }

  /** Whether the named namespace {@code name} exists (its file exists under /var/run/netns). */
  public static boolean exists(String name) {
    return Files.exists(path(name));
  }

  /** The names of the named namespaces in /var/run/netns, sorted, as {@code ip netns list}. */
  public static List<String> list() {
    if (!Files.isDirectory(RUN_DIR)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(RUN_DIR)) {
      return new ArrayList<>(files.map(p -> p.getFileName().toString()).sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException("list " + RUN_DIR, e);
    }
  }

  /**
   * The inode number of the namespace at {@code netns} (a /var/run/netns file or a /proc/PID/ns/net
   * link): two paths refer to the same namespace iff their inodes are equal, and a process is in it
   * iff its /proc/PID/ns/net has this inode.
   */
  public static long inode(Path netns) {
    try {
      return (Long) Files.getAttribute(netns, "unix:ino");
    } catch (IOException e) {
      throw new UncheckedIOException("stat " + netns, e);
    }
  }

  /** The inode of the calling thread's network namespace. */
  public static long currentInode() {
    return inode(Path.of("/proc/thread-self/ns/net"));
  }

  /** The inode of the process's network namespace, the one {@link #callIn} threads return to. */
  public static long hostInode() {
    return inode(Path.of(NamespaceThreads.HOME));
  }

  /**
   * The cookie of the namespace at {@code netns}: what {@code bpf_get_netns_cookie()} returns for
   * its sockets (read as {@code SO_NETNS_COOKIE} of a socket opened inside it). Stable for the life
   * of the namespace and never reused, unlike an inode.
   */
  public static long cookie(Path netns) {
    return callIn(netns, NetworkNamespace::currentCookie);
  }

  /** The cookie of the process's network namespace, the one {@link #callIn} threads return to. */
  public static long hostCookie() {
    return cookie(Path.of(NamespaceThreads.HOME));
  }

  private static long currentCookie() {
    try (LibC.Fd fd =
        new LibC.Fd(
            LibC.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0), "cookie socket")) {
      return LibC.getsockoptLong(fd.get(), LibC.SOL_SOCKET, LibC.SO_NETNS_COOKIE);
    }
  }

  /**
   * Runs {@code work} on a platform thread inside the namespace at {@code netns} and returns its
   * result. Exceptions thrown by {@code work} propagate unchanged (same instance and type). The
   * calling thread waits, uninterruptibly, until {@code work} ends.
   *
   * <p>Sockets opened by {@code work} belong to the namespace for good and may be used from any
   * thread afterwards. Threads that {@code work} starts inherit the namespace. Calls may nest (a
   * nested call runs on the same thread, which then returns to the outer call's namespace). At most
   * 16 calls run at once; more wait for a thread.
   *
   * @throws ErrnoException if {@code netns} cannot be opened or entered
   */
  public static <T, E extends Exception> T callIn(Path netns, Work<T, E> work) throws E {
    Objects.requireNonNull(netns, "netns");
    Objects.requireNonNull(work, "work");
    String file = netns.toString();
    return NamespaceThreads.call(
        () -> {
          try (LibC.Fd target = LibC.openReadOnly(file)) {
            LibC.setns(target.get(), LibC.CLONE_NEWNET, file);
          }
          return work.call();
        });
  }

  /** {@link #callIn} for work without a result. */
  public static <E extends Exception> void runIn(Path netns, VoidWork<E> work) throws E {
    Objects.requireNonNull(work, "work");
    NetworkNamespace.<Void, E>callIn(
        netns,
        () -> {
          work.run();
          return null;
        });
  }

  /**
   * Makes /var/run/netns exist and be a shared mount, like iproute2's netns_add: so that unmounting
   * a namespace file in one mount namespace unmounts it in all, letting the namespace be freed.
   */
  private static void prepareRunDir() {
    String dir = RUN_DIR.toString();
    synchronized (RUN_DIR_LOCK) {
      try {
        LibC.mkdir(dir, 0755);
      } catch (ErrnoException e) {
        if (e.errno() != Errno.EEXIST) {
          throw e;
        }
      }
      boolean madeMountPoint = false;
      while (true) {
        try {
          LibC.mount("", dir, "none", LibC.MS_SHARED | LibC.MS_REC);
          return;
        } catch (ErrnoException e) {
          // EINVAL: not a mount point yet. Make it one by binding it onto itself, once.
          if (e.errno() != Errno.EINVAL || madeMountPoint) {
            throw e;
          }
        }
        LibC.mount(dir, dir, "none", LibC.MS_BIND | LibC.MS_REC);
        madeMountPoint = true;
      }
    }
  }
}
