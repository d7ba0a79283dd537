package io.jilium.bpf.maps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.MapBatchException;
import io.jilium.bpf.MapFullException;
import io.jilium.bpf.maps.LbBackendsMap.Backend;
import io.jilium.bpf.maps.LbRevNatMap.RevNat;
import io.jilium.bpf.maps.LbServicesMap.Key;
import io.jilium.bpf.maps.LbServicesMap.Service;
import io.jilium.bpf.sys.LibBpf;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Batched writes of the load-balancing map views against real kernel hash maps of the datapath's
 * key and value sizes: every entry lands as a single write would put it, absent keys are skipped on
 * delete, and a full map names the first entry that did not fit.
 */
@Tag("kernel")
class LbMapsBatchKernelTest {
  private final List<BpfMap> maps = new ArrayList<>();

  private BpfMap hash(String name, long keySize, long valueSize, int maxEntries) {
    BpfMap m =
        BpfMap.create(
            LibBpf.BPF_MAP_TYPE_HASH, name, (int) keySize, (int) valueSize, maxEntries, 0);
    maps.add(m);
    return m;
  }

  private LbServicesMap services4(String name, int maxEntries) {
    return new LbServicesMap(
        hash(
            name,
            DatapathLayouts.LB4_KEY.byteSize(),
            DatapathLayouts.LB_SERVICE.byteSize(),
            maxEntries),
        false);
  }

  @AfterEach
  void closeMaps() {
    maps.forEach(BpfMap::close);
  }

  private static Key frontend(int i, int slot) {
    return new Key(new byte[] {10, 96, (byte) (i >> 8), (byte) i}, 80, 6, slot);
  }

  @Test
  void aBatchOfSlotsReadsBackAsSingleWritesWouldHaveWrittenThem() {
    LbServicesMap services = services4("jlt_svc4", 8192);
    List<Map.Entry<Key, Service>> entries = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      entries.add(Map.entry(frontend(i, 0), new Service(0, 3, i + 1, 0x10, 0)));
      for (int s = 1; s <= 3; s++) {
        entries.add(Map.entry(frontend(i, s), new Service(3 * i + s, 0, i + 1, 0, 0)));
      }
    }
    // a single write of the same key first: the batch replaces it
    services.put(frontend(7, 0), new Service(0, 1, 99, 0, 0));

    services.putAll(entries);

    assertThat(services.dump()).hasSize(4000).containsExactlyInAnyOrderElementsOf(entries);
    assertThat(services.get(frontend(7, 0))).contains(new Service(0, 3, 8, 0x10, 0));
    assertThat(services.get(frontend(999, 3))).contains(new Service(3000, 0, 1000, 0, 0));
  }

  @Test
  void aBatchDeleteSkipsAbsentKeysAndCountsThePresentOnes() {
    LbServicesMap services = services4("jlt_svc4d", 1024);
    for (int i = 0; i < 10; i++) {
      services.put(frontend(i, 0), new Service(0, 0, i + 1, 0, 0));
    }
    // absent keys first, between and last
    List<Key> delete =
        List.of(
            frontend(100, 0),
            frontend(0, 0),
            frontend(1, 0),
            frontend(101, 0),
            frontend(102, 0),
            frontend(2, 0),
            frontend(103, 0));

    assertThat(services.deleteAll(delete)).isEqualTo(3);
    assertThat(services.dump()).hasSize(7);
    assertThat(services.get(frontend(2, 0))).isEmpty();
    assertThat(services.get(frontend(3, 0))).isPresent();
  }

  @Test
  void backendsAndReverseNatBatchesOfBothFamilies() {
    LbBackendsMap b4 =
        new LbBackendsMap(hash("jlt_be4", 4, DatapathLayouts.LB4_BACKEND.byteSize(), 1024), false);
    LbBackendsMap b6 =
        new LbBackendsMap(hash("jlt_be6", 4, DatapathLayouts.LB6_BACKEND.byteSize(), 1024), true);
    LbRevNatMap r4 =
        new LbRevNatMap(
            hash("jlt_rn4", 2, DatapathLayouts.LB4_REVERSE_NAT.byteSize(), 1024), false);
    List<Map.Entry<Integer, Backend>> v4 = new ArrayList<>();
    List<Map.Entry<Integer, Backend>> v6 = new ArrayList<>();
    List<Map.Entry<Integer, RevNat>> rn = new ArrayList<>();
    for (int i = 1; i <= 300; i++) {
      v4.add(Map.entry(i, new Backend(new byte[] {10, 0, 1, (byte) i}, 8080, 6, i % 2)));
      byte[] a6 = new byte[16];
      a6[0] = (byte) 0xfd;
      a6[15] = (byte) i;
      v6.add(Map.entry(1000 + i, new Backend(a6, 53, 17, LbBackendsMap.ACTIVE)));
      rn.add(Map.entry(i, new RevNat(new byte[] {10, 96, 0, (byte) i}, 80)));
    }

    b4.putAll(v4);
    b6.putAll(v6);
    r4.putAll(rn);

    assertThat(b4.dump()).containsExactlyInAnyOrderEntriesOf(toMap(v4));
    assertThat(b6.dump()).containsExactlyInAnyOrderEntriesOf(toMap(v6));
    assertThat(r4.dump()).containsExactlyInAnyOrderEntriesOf(toMap(rn));
    assertThat(b4.deleteAll(List.of(1, 2, 500, 3))).isEqualTo(3);
    assertThat(r4.deleteAll(List.of(300, 299))).isEqualTo(2);
    assertThat(b4.dump()).hasSize(297).doesNotContainKeys(1, 2, 3);
    assertThat(r4.dump()).hasSize(298).doesNotContainKeys(299, 300);
  }

  @Test
  void aFullMapStopsTheBatchAtTheFirstEntryThatDidNotFit() {
    LbBackendsMap b4 =
        new LbBackendsMap(hash("jlt_be4f", 4, DatapathLayouts.LB4_BACKEND.byteSize(), 5), false);
    List<Map.Entry<Integer, Backend>> seven = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      seven.add(Map.entry(i, new Backend(new byte[] {10, 0, 2, (byte) i}, 80, 6, 0)));
    }

    MapBatchException e = catchThrowableOfType(MapBatchException.class, () -> b4.putAll(seven));

    assertThat(e.index()).isEqualTo(5);
    assertThat(e.getCause()).isInstanceOf(MapFullException.class);
    assertThat(e).hasMessageContaining("entry 6 of 7").hasMessageContaining("map is full");
    assertThat(b4.dump()).containsOnlyKeys(1, 2, 3, 4, 5);
  }

  private static <K, V> Map<K, V> toMap(List<Map.Entry<K, V>> entries) {
    Map<K, V> m = new java.util.LinkedHashMap<>();
    entries.forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }
}
