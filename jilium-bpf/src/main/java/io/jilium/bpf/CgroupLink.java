package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import io.jilium.bpf.sys.LibC;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Programs attached to a cgroup through a pinned {@code bpf_link}: the attachment lives as long as
 * the pin, so it survives the agent, and a new agent swaps the program in place ({@code
 * bpf_link_update}) without a moment when the hook is empty.
 */
public final class CgroupLink {
  /** {@code struct bpf_link_info}: type, id, prog_id, then (8-aligned) cgroup_id, attach_type. */
  private static final int INFO_SIZE = 64;

  private CgroupLink() {}

  /** What a pinned cgroup link is attached to. {@code cgroupId} 0: its cgroup is gone. */
  public record Info(int id, int programId, long cgroupId, int attachType) {}

  /**
   * Attaches {@code programFd} to {@code cgroup} at {@code attachType} (BPF_CGROUP_*) through a
   * link pinned at {@code pin}. If {@code pin} holds a link on the same cgroup and hook, its
   * program is replaced; a pinned link on another cgroup or hook (or on a cgroup that is gone) is
   * detached and replaced by a new link.
   */
  public static void attach(Path cgroup, int attachType, int programFd, Path pin, String what) {
    long cgroupId = cgroupId(cgroup);
    Optional<Info> existing = info(pin);
    if (existing.isPresent()) {
      Info have = existing.get();
      if (have.cgroupId() == cgroupId && have.attachType() == attachType) {
        int fd = BpfFd.objGet(pin);
        try (BpfFd link = new BpfFd(fd, "link " + pin)) {
          update(link.get(), programFd, what);
        }
        return;
      }
      detach(pin);
    }
    try (LibC.Fd cg =
            new LibC.Fd(
                LibC.open(cgroup.toString(), LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0),
                "cgroup " + cgroup);
        BpfFd link = new BpfFd(create(programFd, cg.get(), attachType, what), "link " + what)) {
      try {
        Files.createDirectories(pin.getParent());
      } catch (IOException e) {
        throw new UncheckedIOException("create " + pin.getParent(), e);
      }
      BpfFd.pin(link.get(), pin);
    }
  }

  /**
   * Detaches the link pinned at {@code pin} (even if another process holds it open) and removes the
   * pin. Returns false when nothing was pinned there.
   */
  public static boolean detach(Path pin) {
    if (!Files.exists(pin)) {
      return false;
    }
    try (BpfFd link = new BpfFd(BpfFd.objGet(pin), "link " + pin)) {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment state = Downcalls.allocateCallState(a);
        int rc = (int) LibBpf.bpf_link_detach.invokeExact(state, link.get());
        // EINVAL: already detached (its cgroup is gone)
        if (rc < 0 && Downcalls.errno(state) != Errno.EINVAL) {
          throw new ErrnoException("bpf_link_detach(" + pin + ")", Downcalls.errno(state));
        }
      } catch (Throwable t) {
        throw Native.rethrow(t);
      }
    }
    try {
      Files.deleteIfExists(pin);
    } catch (IOException e) {
      throw new UncheckedIOException("unpin " + pin, e);
    }
    return true;
  }

  /** The link pinned at {@code pin}, empty when nothing is pinned there. */
  public static Optional<Info> info(Path pin) {
    if (!Files.exists(pin)) {
      return Optional.empty();
    }
    try (BpfFd link = new BpfFd(BpfFd.objGet(pin), "link " + pin);
        Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      MemorySegment info = a.allocate(INFO_SIZE, 8);
      MemorySegment len = a.allocateFrom(JAVA_INT, INFO_SIZE);
      int rc = (int) LibBpf.bpf_obj_get_info_by_fd.invokeExact(state, link.get(), info, len);
      if (rc < 0) {
        throw new ErrnoException("bpf_obj_get_info_by_fd(" + pin + ")", Downcalls.errno(state));
      }
      if (info.get(JAVA_INT, 0) != LibBpf.BPF_LINK_TYPE_CGROUP) {
        throw new IllegalStateException(
            pin + ": a link of type " + info.get(JAVA_INT, 0) + ", not a cgroup link");
      }
      return Optional.of(
          new Info(
              info.get(JAVA_INT, 4),
              info.get(JAVA_INT, 8),
              info.get(JAVA_LONG, 16),
              info.get(JAVA_INT, 24)));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** The id the kernel gives the cgroup at {@code cgroup}: on cgroup2, its directory's inode. */
  public static long cgroupId(Path cgroup) {
    try {
      return (Long) Files.getAttribute(cgroup, "unix:ino");
    } catch (IOException e) {
      throw new UncheckedIOException("stat cgroup " + cgroup, e);
    }
  }

  private static int create(int programFd, int cgroupFd, int attachType, String what) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int fd =
          (int)
              LibBpf.bpf_link_create.invokeExact(
                  state, programFd, cgroupFd, attachType, MemorySegment.NULL);
      if (fd < 0) {
        throw new ErrnoException("bpf_link_create(" + what + ")", Downcalls.errno(state));
      }
      return fd;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private static void update(int linkFd, int programFd, String what) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc =
          (int) LibBpf.bpf_link_update.invokeExact(state, linkFd, programFd, MemorySegment.NULL);
      if (rc < 0) {
        throw new ErrnoException("bpf_link_update(" + what + ")", Downcalls.errno(state));
      }
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
