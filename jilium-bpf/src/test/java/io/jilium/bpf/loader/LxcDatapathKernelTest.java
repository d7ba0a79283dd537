package io.jilium.bpf.loader;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.maps.LbBackendsMap;
import io.jilium.bpf.maps.LbBackendsMap.Backend;
import io.jilium.bpf.maps.LbMaps;
import io.jilium.bpf.maps.LbNetnsMap;
import io.jilium.bpf.maps.LbRevNatMap.RevNat;
import io.jilium.bpf.maps.LbServicesMap;
import io.jilium.bpf.maps.LbServicesMap.Key;
import io.jilium.bpf.maps.LbServicesMap.Service;
import io.jilium.core.net.Cidr;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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

  @Test
  void loadBalancingMapsRoundTripThroughTheTypedViews() {
    byte[] vip4 = {10, (byte) 202, 0, 10};
    byte[] vip6 = new byte[16];
    vip6[0] = (byte) 0xfd;
    vip6[15] = 10;
    try (LxcDatapath dp = LxcDatapath.load(object, pinDir)) {
      LbMaps lb = dp.lb();
      Key slot0 = new Key(vip4, 80, 6, 0);
      lb.services4().put(slot0, new Service(0, 1, 7, LbServicesMap.F_AFFINITY, 10800));
      lb.services4().put(new Key(vip4, 80, 6, 1), new Service(42, 0, 7, 0, 0));
      lb.services6().put(new Key(vip6, 53, 17, 0), new Service(0, 0, 8, 0, 0));
      lb.backends4().put(42, new Backend(new byte[] {10, 1, 0, 5}, 8080, 6, LbBackendsMap.ACTIVE));
      lb.revNat4().put(7, new RevNat(vip4, 80));
      lb.revNat6().put(8, new RevNat(vip6, 53));
      lb.netns().put(4096L, LbNetnsMap.POD);
    }
    // a second object (a restarted agent, or bpf_sock/bpf_host) sees the same entries
    try (LxcDatapath dp = LxcDatapath.load(object, pinDir)) {
      LbMaps lb = dp.lb();
      assertThat(lb.services4().get(new Key(vip4, 80, 6, 0)))
          .contains(new Service(0, 1, 7, LbServicesMap.F_AFFINITY, 10800));
      assertThat(lb.services4().dump())
          .containsExactlyInAnyOrder(
              Map.entry(
                  new Key(vip4, 80, 6, 0), new Service(0, 1, 7, LbServicesMap.F_AFFINITY, 10800)),
              Map.entry(new Key(vip4, 80, 6, 1), new Service(42, 0, 7, 0, 0)));
      assertThat(lb.services6().dump())
          .containsExactly(Map.entry(new Key(vip6, 53, 17, 0), new Service(0, 0, 8, 0, 0)));
      assertThat(lb.backends4().dump())
          .containsExactly(
              Map.entry(42, new Backend(new byte[] {10, 1, 0, 5}, 8080, 6, LbBackendsMap.ACTIVE)));
      assertThat(lb.revNat4().dump()).containsExactly(Map.entry(7, new RevNat(vip4, 80)));
      assertThat(lb.revNat6().dump()).containsExactly(Map.entry(8, new RevNat(vip6, 53)));
      assertThat(lb.netns().dump()).containsExactly(Map.entry(4096L, LbNetnsMap.POD));
      assertThat(lb.services4().delete(new Key(vip4, 80, 6, 1))).isTrue();
      assertThat(lb.services4().delete(new Key(vip4, 80, 6, 1))).isFalse();
      assertThat(lb.backends4().delete(42)).isTrue();
      assertThat(lb.netns().delete(4096L)).isTrue();
      assertThat(lb.services4().dump()).hasSize(1);
      for (String m : List.copyOf(LbMaps.MAP_NAMES)) {
        assertThat(pinDir.resolve(m)).as(m).exists();
      }
    }
  }
}
