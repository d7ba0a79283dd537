package io.jilium.bpf.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.bpf.BpfMap;
import io.jilium.core.net.Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Loads the real datapath object into the kernel with pinned maps, and reuses them on reload. */
@Tag("kernel")
class LxcDatapathKernelTest {
  private final Path pinDir =
      Path.of("/sys/fs/bpf/jilium/test-" + UUID.randomUUID().toString().substring(0, 8));
  private final Path object = Path.of("target/classes/bpf/bpf_lxc.o");

  @AfterEach
  void removePins() throws IOException {
    if (Files.exists(pinDir)) {
      try (Stream<Path> s = Files.walk(pinDir)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void loadsPinsAndReusesMapsAcrossLoads() {
    try (LxcDatapath dp = LxcDatapath.load(object, pinDir)) {
      for (String m : LxcDatapath.PINNED_MAPS) {
        assertThat(pinDir.resolve(m)).as(m).exists();
      }
      dp.ipcache().put(Cidr.parse("10.1.2.3/32"), 4242);
    }
    // a second load (a restarted agent) sees the entry written by the first
    try (LxcDatapath dp = LxcDatapath.load(object, pinDir)) {
      assertThat(dp.ipcache().dump()).containsKey(Cidr.parse("10.1.2.3/32"));
      assertThat(dp.ipcache().dump().get(Cidr.parse("10.1.2.3/32")).identity()).isEqualTo(4242);
      try (BpfMap again = BpfMap.openPinned(pinDir.resolve("jl_ipcache"))) {
        assertThat(again.info().id()).isEqualTo(dp.ipcache().raw().info().id());
      }
    }
  }
}
