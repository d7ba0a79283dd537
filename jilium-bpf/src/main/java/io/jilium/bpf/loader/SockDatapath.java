package io.jilium.bpf.loader;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.CgroupLink;
import io.jilium.bpf.maps.LbMaps;
import io.jilium.bpf.sys.LibBpf;
import io.jilium.bpf.sys.LibC;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The socket load balancer (bpf_sock) of one node: cgroup v2 socket-address hooks that translate
 * service frontends to backends at connect/sendmsg and back at recvmsg/getpeername. The programs
 * are attached to the cgroup2 root through bpf_links pinned under {@code <pinDir>/links}, so
 * translation goes on while no agent runs, and a new agent's {@link #attach} swaps its programs
 * into the same links. Maps are shared with the other datapath objects through their pins; load
 * {@link LxcDatapath} first, so the events ring it sizes is the one reused here.
 */
public final class SockDatapath implements AutoCloseable {
  /** One program and the cgroup hook it is attached to. */
  public record Hook(String program, int attachType) {}

  public static final List<Hook> HOOKS =
      List.of(
          new Hook("cil_sock4_connect", LibBpf.BPF_CGROUP_INET4_CONNECT),
          new Hook("cil_sock6_connect", LibBpf.BPF_CGROUP_INET6_CONNECT),
          new Hook("cil_sock4_sendmsg", LibBpf.BPF_CGROUP_UDP4_SENDMSG),
          new Hook("cil_sock6_sendmsg", LibBpf.BPF_CGROUP_UDP6_SENDMSG),
          new Hook("cil_sock4_recvmsg", LibBpf.BPF_CGROUP_UDP4_RECVMSG),
          new Hook("cil_sock6_recvmsg", LibBpf.BPF_CGROUP_UDP6_RECVMSG),
          new Hook("cil_sock4_getpeername", LibBpf.BPF_CGROUP_INET4_GETPEERNAME),
          new Hook("cil_sock6_getpeername", LibBpf.BPF_CGROUP_INET6_GETPEERNAME));

  /** Where the links are pinned, under the pin directory. */
  public static final String LINKS_DIR = "links";

  /** Where a cgroup2 hierarchy is mounted when the machine has none. */
  public static final Path DEFAULT_CGROUP_MOUNT = Path.of("/run/jilium/cgroupv2");

  private final Path pinDir;
  private final PinnedObject loaded;
  private final LbMaps lb;

  private SockDatapath(Path pinDir, PinnedObject loaded) {
    this.pinDir = pinDir;
    this.loaded = loaded;
    this.lb = LbMaps.of(loaded::map);
  }

  /**
   * Checks the object's BTF against the Java layouts, then loads it with every shared map of {@link
   * LxcDatapath#PINNED_MAPS} it declares reused from (or pinned to) {@code pinDir}. Nothing is
   * attached yet.
   */
  public static SockDatapath load(Path objectFile, Path pinDir) {
    PinnedObject loaded =
        PinnedObject.load(
            objectFile,
            pinDir,
            object -> PinnedObject.declared(object, LxcDatapath.PINNED_MAPS),
            object -> PinnedObject.adoptPinnedSize(object, pinDir, LxcDatapath.EVENTS));
    return new SockDatapath(pinDir, loaded);
  }

  /**
   * Attaches every hook to {@code cgroupRoot}. Idempotent: links already pinned on that cgroup get
   * this object's programs (bpf_link_update, no gap); links pinned on another cgroup are replaced.
   */
  public void attach(Path cgroupRoot) {
    for (Hook h : HOOKS) {
      CgroupLink.attach(
          cgroupRoot,
          h.attachType(),
          loaded.object().programFd(h.program()),
          linkPin(pinDir, h.program()),
          h.program() + " to cgroup " + cgroupRoot);
    }
  }

  /** Detaches every hook and removes the link pins: sockets are no longer translated. */
  public void detach() {
    detach(pinDir);
  }

  /** Detaches the hooks pinned under {@code pinDir}, without loading anything (agent cleanup). */
  public static void detach(Path pinDir) {
    for (Hook h : HOOKS) {
      CgroupLink.detach(linkPin(pinDir, h.program()));
    }
  }

  /** The pin of a hook's link: {@code <pinDir>/links/<program>}. */
  public static Path linkPin(Path pinDir, String program) {
    return pinDir.resolve(LINKS_DIR).resolve(program);
  }

  /**
   * The cgroup2 hierarchy to attach to. {@code configured} (--cgroup-root): used if it lies on a
   * cgroup2 (a mount point or a cgroup below one), else a cgroup2 is mounted there. Not configured:
   * the first cgroup2 mount of the machine (/sys/fs/cgroup, or /sys/fs/cgroup/unified in hybrid
   * mode), else one is mounted at {@link #DEFAULT_CGROUP_MOUNT}.
   */
  public static Path cgroupRoot(Optional<Path> configured) {
    List<String> mounts = readMounts();
    if (configured.isPresent()) {
      Path want = configured.get().toAbsolutePath().normalize();
      if (isOnCgroup2(mounts, want)) {
        return want;
      }
      mountCgroup2(want, "--cgroup-root " + want);
      return want;
    }
    Optional<Path> found = firstCgroup2Mount(mounts);
    if (found.isPresent()) {
      return found.get();
    }
    if (!isCgroup2MountPoint(mounts, DEFAULT_CGROUP_MOUNT)) {
      mountCgroup2(DEFAULT_CGROUP_MOUNT, "no cgroup2 mounted");
    }
    return DEFAULT_CGROUP_MOUNT;
  }

  /** The first cgroup2 mount point in {@code /proc/self/mounts} lines. */
  static Optional<Path> firstCgroup2Mount(List<String> mounts) {
    for (String line : mounts) {
      String[] f = line.split(" ");
      if (f.length >= 3 && f[2].equals("cgroup2")) {
        return Optional.of(Path.of(unescape(f[1])));
      }
    }
    return Optional.empty();
  }

  /** Whether the deepest mount containing {@code path} (the last of equals) is a cgroup2. */
  static boolean isOnCgroup2(List<String> mounts, Path path) {
    Path deepest = null;
    String type = null;
    for (String line : mounts) {
      String[] f = line.split(" ");
      if (f.length < 3) {
        continue;
      }
      Path mp = Path.of(unescape(f[1]));
      if (path.startsWith(mp) && (deepest == null || mp.getNameCount() >= deepest.getNameCount())) {
        deepest = mp;
        type = f[2];
      }
    }
    return "cgroup2".equals(type);
  }

  /** Whether the last mount at {@code path} in {@code /proc/self/mounts} lines is a cgroup2. */
  static boolean isCgroup2MountPoint(List<String> mounts, Path path) {
    String type = null;
    for (String line : mounts) {
      String[] f = line.split(" ");
      if (f.length >= 3 && Path.of(unescape(f[1])).equals(path)) {
        type = f[2]; // later mounts at the same point are stacked over earlier ones
      }
    }
    return "cgroup2".equals(type);
  }

  /** /proc/self/mounts writes space, tab, newline and backslash in octal: {@code \040}. */
  static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && isOctal(s.substring(i + 1, i + 4))) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static boolean isOctal(String digits) {
    return digits.chars().allMatch(d -> d >= '0' && d <= '7');
  }

  private static List<String> readMounts() {
    try {
      return Files.readAllLines(Path.of("/proc/self/mounts"));
    } catch (IOException e) {
      throw new UncheckedIOException("read /proc/self/mounts", e);
    }
  }

  private static void mountCgroup2(Path target, String why) {
    try {
      Files.createDirectories(target);
    } catch (IOException e) {
      throw new UncheckedIOException(why + ": create " + target + " to mount cgroup2 on", e);
    }
    LibC.mount("none", target.toString(), "cgroup2", 0);
  }

  public Path pinDir() {
    return pinDir;
  }

  /** The load-balancing maps (the same pinned maps every datapath object uses). */
  public LbMaps lb() {
    return lb;
  }

  public BpfMap map(String name) {
    return loaded.map(name);
  }

  /** Closes fds; attached links stay (they are pinned) until {@link #detach()}. */
  @Override
  public void close() {
    loaded.close();
  }
}
