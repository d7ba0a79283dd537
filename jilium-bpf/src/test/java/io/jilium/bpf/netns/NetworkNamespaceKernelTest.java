package io.jilium.bpf.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Named network namespaces against the real kernel, cross-checked with iproute2 and nsenter. */
@Tag("kernel")
class NetworkNamespaceKernelTest {
  private final String prefix =
      "jltest-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-";
  private final List<String> created = new ArrayList<>();

  private String newName(String suffix) {
    String name = prefix + suffix;
    created.add(name);
    return name;
  }

  @AfterEach
  void deleteNamespaces() {
    RuntimeException failure = null;
    for (String name : created) {
      try {
        NetworkNamespace.delete(name);
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    assertThat(NetworkNamespace.list()).noneMatch(n -> n.startsWith(prefix));
  }

  @Test
  void cookiesIdentifyNamespacesAsBpfSeesThem() {
    Path a = NetworkNamespace.create(newName("ca"));
    Path b = NetworkNamespace.create(newName("cb"));
    long ca = NetworkNamespace.cookie(a);
    assertThat(ca).isPositive().isEqualTo(NetworkNamespace.cookie(a));
    assertThat(NetworkNamespace.cookie(b)).isPositive().isNotEqualTo(ca);
    assertThat(NetworkNamespace.hostCookie())
        .isNotIn(ca, NetworkNamespace.cookie(b))
        .isEqualTo(NetworkNamespace.cookie(Path.of("/proc/self/ns/net")));
  }

  @Test
  void createdNamespaceIsSeenByIproute2AndNsenter() {
    String name = newName("a");
    Path ns = NetworkNamespace.create(name);

    assertThat(ns).isEqualTo(Path.of("/var/run/netns", name));
    long inode = NetworkNamespace.inode(ns);
    assertThat(inode).isNotEqualTo(NetworkNamespace.hostInode());
    assertThat(NetworkNamespace.list()).contains(name);
    assertThat(NetworkNamespace.exists(name)).isTrue();
    assertThat(Commands.run("ip", "netns", "list")).contains(name);

    // A fresh namespace: only loopback, down.
    JsonNode links = Commands.json("ip", "netns", "exec", name, "ip", "-j", "link", "show");
    assertThat(Commands.elements(links))
        .singleElement()
        .satisfies(
            lo -> {
              assertThat(lo.path("ifname").asText()).isEqualTo("lo");
              assertThat(lo.path("operstate").asText()).isEqualTo("DOWN");
            });
    assertThat(Commands.run("nsenter", "--net=" + ns, "readlink", "/proc/self/ns/net").trim())
        .isEqualTo("net:[" + inode + "]");
  }

  @Test
  void runDirectoryIsASharedMountLikeIproute2Makes() throws IOException {
    NetworkNamespace.create(newName("m"));
    List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
    // "<id> <parent> <dev> <root> <mountpoint> <options> shared:N ... - ..."
    assertThat(mounts)
        .anySatisfy(
            line -> {
              String[] f = line.split(" ");
              assertThat(f[4]).isEqualTo("/run/netns");
              assertThat(line).contains(" shared:");
            });
  }

  @Test
  void createFailsWhenTheNameExists() {
    String name = newName("dup");
    Path ns = NetworkNamespace.create(name);
    long inode = NetworkNamespace.inode(ns);

    assertThatThrownBy(() -> NetworkNamespace.create(name))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST))
        .hasMessageContaining(name);
    assertThat(NetworkNamespace.inode(ns)).as("the first one is untouched").isEqualTo(inode);
  }

  @Test
  void deleteIsIdempotentAndLeavesNoThreadInTheNamespace() throws Exception {
    String name = newName("del");
    Path ns = NetworkNamespace.create(name);
    long inode = NetworkNamespace.inode(ns);
    NetworkNamespace.callIn(ns, () -> null);

    NetworkNamespace.delete(name);
    assertThat(ns).doesNotExist();
    assertThat(Commands.run("ip", "netns", "list")).doesNotContain(name);
    assertThatCode(() -> NetworkNamespace.delete(name)).doesNotThrowAnyException();
    assertThatCode(() -> NetworkNamespace.delete(ns)).doesNotThrowAnyException();
    assertThat(threadNamespaces()).doesNotContain(inode);
  }

  @Test
  void callInRunsInsideTheNamespaceAndPoolThreadsReturnHome() throws Exception {
    Path a = NetworkNamespace.create(newName("x"));
    Path b = NetworkNamespace.create(newName("y"));
    long inodeA = NetworkNamespace.inode(a);
    long inodeB = NetworkNamespace.inode(b);
    long host = NetworkNamespace.hostInode();

    assertThat(NetworkNamespace.callIn(a, NetworkNamespace::currentInode)).isEqualTo(inodeA);
    assertThat(NetworkNamespace.currentInode()).as("the caller stays home").isEqualTo(host);

    // Many calls at once, alternating namespaces, some nested: each sees its own namespace.
    Set<String> threads = ConcurrentHashMap.newKeySet();
    try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        Path ns = i % 2 == 0 ? a : b;
        long expected = i % 2 == 0 ? inodeA : inodeB;
        boolean nested = i % 10 == 0;
        results.add(
            callers.submit(
                () ->
                    NetworkNamespace.callIn(
                        ns,
                        () -> {
                          threads.add(Thread.currentThread().getName());
                          boolean ok = NetworkNamespace.currentInode() == expected;
                          if (nested) {
                            ok &=
                                NetworkNamespace.callIn(b, NetworkNamespace::currentInode)
                                    == inodeB;
                            ok &= NetworkNamespace.currentInode() == expected;
                          }
                          return ok;
                        })));
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    }
    assertThat(threads).allMatch(t -> t.startsWith("jilium-netns-"));
    assertThat(threadNamespaces()).doesNotContain(inodeA, inodeB);
  }

  @Test
  void socketsOpenedInsideStayInTheNamespace() throws Exception {
    String name = newName("sock");
    Path ns = NetworkNamespace.create(name);
    try (DatagramChannel inside =
        NetworkNamespace.callIn(ns, () -> DatagramChannel.open().bind(new InetSocketAddress(0)))) {
      int port = ((InetSocketAddress) inside.getLocalAddress()).getPort();
      String marker = ":" + port + " ";
      assertThat(Commands.run("nsenter", "--net=" + ns, "ss", "-uanH")).contains(marker);
      assertThat(Commands.run("ss", "-uanH")).doesNotContain(marker);
    }
  }

  @Test
  void exceptionsPropagateUnchanged() {
    Path ns = NetworkNamespace.create(newName("ex"));
    IOException checked = new IOException("checked");
    IllegalStateException unchecked = new IllegalStateException("unchecked");
    AssertionError error = new AssertionError("error");

    assertThatThrownBy(
            () ->
                NetworkNamespace.callIn(
                    ns,
                    () -> {
                      throw checked;
                    }))
        .isSameAs(checked);
    assertThatThrownBy(
            () ->
                NetworkNamespace.runIn(
                    ns,
                    () -> {
                      throw unchecked;
                    }))
        .isSameAs(unchecked);
    assertThatThrownBy(
            () ->
                NetworkNamespace.runIn(
                    ns,
                    () -> {
                      throw error;
                    }))
        .isSameAs(error);
    // and the pool still works afterwards
    assertThat(NetworkNamespace.callIn(ns, NetworkNamespace::currentInode))
        .isEqualTo(NetworkNamespace.inode(ns));
  }

  @Test
  void enteringSomethingThatIsNotANamespaceFailsWithThePath() {
    Path missing = NetworkNamespace.path(prefix + "missing");
    assertThatThrownBy(() -> NetworkNamespace.callIn(missing, () -> 1))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> NetworkNamespace.callIn(Path.of("/proc/self/ns/mnt"), () -> 1))
        .isInstanceOfSatisfying(
            ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL))
        .hasMessageContaining("setns(/proc/self/ns/mnt)");
  }

  @Test
  void invalidNamesAreRejected() {
    for (String bad : new String[] {"", ".", "..", "a/b"}) {
      assertThatThrownBy(() -> NetworkNamespace.create(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "'");
    }
  }

  @Test
  void concurrentCreatesMakeDistinctNamespaces() throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      names.add(newName("c" + i));
    }
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Path>> paths =
          names.stream().map(n -> pool.submit(() -> NetworkNamespace.create(n))).toList();
      Set<Long> inodes = ConcurrentHashMap.newKeySet();
      for (Future<Path> p : paths) {
        inodes.add(NetworkNamespace.inode(p.get()));
      }
      assertThat(inodes).hasSize(8).doesNotContain(NetworkNamespace.hostInode());
    }
  }

  /** The network namespace inode of every thread of this process. */
  private static List<Long> threadNamespaces() throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      return tasks
          .map(t -> t.resolve("ns/net"))
          .filter(Files::exists)
          .map(NetworkNamespace::inode)
          .toList();
    }
  }
}
