package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.sys.LibBpf;
import io.jilium.core.net.IpAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jl_lb4_revnat} / {@code jl_lb6_revnat}: service id (rev_nat_index) -> the frontend a reply
 * must appear to come from.
 */
public final class LbRevNatMap {
  public static final String NAME4 = "jl_lb4_revnat";
  public static final String NAME6 = "jl_lb6_revnat";

  /** {@code struct lb4_reverse_nat} / {@code struct lb6_reverse_nat}. {@code port} host order. */
  public record RevNat(byte[] address, int port) {
    public RevNat {
      address = Lb.checkAddress("reverse NAT address", address);
      Lb.checkRange("reverse NAT port", port, 0, 0xffff);
    }

    @Override
    public byte[] address() {
      return address.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof RevNat r && Arrays.equals(address, r.address) && port == r.port;
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(address) * 31 + port;
    }

    @Override
    public String toString() {
      return IpAddress.format(address) + ":" + port;
    }
  }

  private final BpfMap map;
  private final boolean ipv6;

  public LbRevNatMap(BpfMap map, boolean ipv6) {
    this.map = map;
    this.ipv6 = ipv6;
  }

  public boolean ipv6() {
    return ipv6;
  }

  public void put(int revNatIndex, RevNat revNat) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v =
          a.allocate(ipv6 ? DatapathLayouts.LB6_REVERSE_NAT : DatapathLayouts.LB4_REVERSE_NAT);
      writeValue(v, revNatIndex, revNat);
      map.update(key(a, revNatIndex), v, LibBpf.BPF_ANY);
    }
  }

  /**
   * Puts every entry with one batch call, in order; {@link io.jilium.bpf.MapBatchException} names
   * the first one not written.
   */
  public void putAll(List<Map.Entry<Integer, RevNat>> entries) {
    map.updateBatch(
        entries,
        (k, e) -> writeKey(k, e.getKey()),
        (v, e) -> writeValue(v, e.getKey(), e.getValue()));
  }

  /** Deletes every index with batch calls, in order; returns how many were present. */
  public int deleteAll(List<Integer> revNatIndexes) {
    return map.deleteBatch(revNatIndexes, LbRevNatMap::writeKey);
  }

  private void writeValue(MemorySegment v, int revNatIndex, RevNat revNat) {
    Lb.checkFamily(() -> "reverse NAT " + revNatIndex + " " + revNat, revNat.address, ipv6);
    Bytes.putBytes(v, 0, revNat.address);
    Bytes.putBe16(v, revNat.address.length, revNat.port());
  }

  public boolean delete(int revNatIndex) {
    try (Arena a = Arena.ofConfined()) {
      return map.delete(key(a, revNatIndex));
    }
  }

  public Map<Integer, RevNat> dump() {
    int alen = ipv6 ? 16 : 4;
    Map<Integer, RevNat> out = new LinkedHashMap<>();
    map.forEach(
        (k, v) ->
            out.put(
                k.get(JAVA_SHORT, 0) & 0xffff,
                new RevNat(Bytes.getBytes(v, 0, alen), Bytes.getBe16(v, alen))));
    return out;
  }

  private static MemorySegment key(Arena a, int revNatIndex) {
    MemorySegment k = a.allocate(JAVA_SHORT);
    writeKey(k, revNatIndex);
    return k;
  }

  private static void writeKey(MemorySegment k, int revNatIndex) {
    Lb.checkRange("rev_nat_index", revNatIndex, 1, 0xffff);
    k.set(JAVA_SHORT, 0, (short) revNatIndex);
  }

  public BpfMap raw() {
    return map;
  }
}
