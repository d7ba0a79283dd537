package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.sys.LibBpf;
import io.jilium.core.net.IpAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code jl_lb4_services} / {@code jl_lb6_services}: frontend (address, port, protocol, slot) ->
 * {@code struct lb_service}. Slot 0 is the service entry (backend count, service id, flags), slots
 * 1..count name the backends.
 */
public final class LbServicesMap {
  public static final String NAME4 = "jl_lb4_services";
  public static final String NAME6 = "jl_lb6_services";

  /** {@code LB_SVC_F_NODEPORT}: the frontend of a NodePort (address 0: any node address). */
  public static final int F_NODEPORT = 0x01;

  /** {@code LB_SVC_F_EXTERNAL_IP}. */
  public static final int F_EXTERNAL_IP = 0x02;

  /** {@code LB_SVC_F_AFFINITY}: sessionAffinity ClientIP, timeout in the entry. */
  public static final int F_AFFINITY = 0x04;

  /** {@code LB_SVC_F_LOADBALANCER}. */
  public static final int F_LOADBALANCER = 0x08;

  /** {@code LB_SVC_F_CLUSTERIP}: not served to traffic from outside the node. */
  public static final int F_CLUSTERIP = 0x10;

  /** {@code LB_SVC_F_MAGLEV}: per-packet selection through the service's Maglev table. */
  public static final int F_MAGLEV = 0x20;

  /**
   * {@code struct lb4_key} / {@code struct lb6_key}: a frontend slot. {@code port} in host order.
   */
  public record Key(byte[] address, int port, int proto, int slot) {
    public Key {
      address = Lb.checkAddress("frontend address", address);
      Lb.checkRange("frontend port", port, 0, 0xffff);
      Lb.checkRange("frontend protocol", proto, 0, 0xff);
      Lb.checkRange("backend slot", slot, 0, 0xffff);
    }

    @Override
    public byte[] address() {
      return address.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k
          && Arrays.equals(address, k.address)
          && port == k.port
          && proto == k.proto
          && slot == k.slot;
    }

    @Override
    public int hashCode() {
      return ((Arrays.hashCode(address) * 31 + port) * 31 + proto) * 31 + slot;
    }

    @Override
    public String toString() {
      return IpAddress.format(address) + ":" + port + "/" + proto + " slot " + slot;
    }
  }

  /**
   * {@code struct lb_service}: slot 0 carries {@code count}, {@code revNatIndex}, {@code flags} and
   * {@code affinityTimeout} (seconds); slots 1..count carry {@code backendId} (and the same
   * revNatIndex).
   */
  public record Service(int backendId, int count, int revNatIndex, int flags, int affinityTimeout) {
    public Service {
      Lb.checkRange("backend count", count, 0, 0xffff);
      Lb.checkRange("rev_nat_index", revNatIndex, 0, 0xffff);
      Lb.checkRange("service flags", flags, 0, 0xff);
      if (affinityTimeout < 0) {
        throw new IllegalArgumentException(
            "affinity timeout: " + affinityTimeout + " (expected: >= 0 seconds)");
      }
    }
  }

  private final BpfMap map;
  private final boolean ipv6;

  public LbServicesMap(BpfMap map, boolean ipv6) {
    this.map = map;
    this.ipv6 = ipv6;
  }

  public boolean ipv6() {
    return ipv6;
  }

  public void put(Key key, Service service) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(DatapathLayouts.LB_SERVICE);
      writeValue(v, service);
      map.update(key(a, key), v, LibBpf.BPF_ANY);
    }
  }

  /**
   * Puts every entry with one batch call, in order; {@link io.jilium.bpf.MapBatchException} names
   * the first one not written.
   */
  public void putAll(List<Map.Entry<Key, Service>> entries) {
    map.updateBatch(
        entries, (k, e) -> writeKey(k, e.getKey()), (v, e) -> writeValue(v, e.getValue()));
  }

  /** Deletes every key with batch calls, in order; returns how many were present. */
  public int deleteAll(List<Key> keys) {
    return map.deleteBatch(keys, this::writeKey);
  }

  private static void writeValue(MemorySegment v, Service service) {
    v.set(JAVA_INT, 0, service.backendId());
    v.set(JAVA_SHORT, 4, (short) service.count());
    v.set(JAVA_SHORT, 6, (short) service.revNatIndex());
    v.set(JAVA_BYTE, 8, (byte) service.flags());
    v.set(JAVA_INT, 12, service.affinityTimeout());
  }

  public boolean delete(Key key) {
    try (Arena a = Arena.ofConfined()) {
      return map.delete(key(a, key));
    }
  }

  public Optional<Service> get(Key key) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(DatapathLayouts.LB_SERVICE);
      return map.lookup(key(a, key), v) ? Optional.of(service(v)) : Optional.empty();
    }
  }

  public List<Map.Entry<Key, Service>> dump() {
    int alen = ipv6 ? 16 : 4;
    List<Map.Entry<Key, Service>> out = new ArrayList<>();
    map.forEach(
        (k, v) ->
            out.add(
                Map.entry(
                    new Key(
                        Bytes.getBytes(k, 0, alen),
                        Bytes.getBe16(k, alen),
                        k.get(JAVA_BYTE, alen + 4) & 0xff,
                        k.get(JAVA_SHORT, alen + 2) & 0xffff),
                    service(v))));
    return out;
  }

  private MemorySegment key(Arena a, Key key) {
    MemorySegment k = a.allocate(ipv6 ? DatapathLayouts.LB6_KEY : DatapathLayouts.LB4_KEY);
    writeKey(k, key);
    return k;
  }

  private void writeKey(MemorySegment k, Key key) {
    Lb.checkFamily(() -> "frontend " + key, key.address, ipv6);
    int alen = key.address.length;
    Bytes.putBytes(k, 0, key.address);
    Bytes.putBe16(k, alen, key.port());
    k.set(JAVA_SHORT, alen + 2, (short) key.slot());
    k.set(JAVA_BYTE, alen + 4, (byte) key.proto());
  }

  private static Service service(MemorySegment v) {
    return new Service(
        v.get(JAVA_INT, 0),
        v.get(JAVA_SHORT, 4) & 0xffff,
        v.get(JAVA_SHORT, 6) & 0xffff,
        v.get(JAVA_BYTE, 8) & 0xff,
        v.get(JAVA_INT, 12));
  }

  public BpfMap raw() {
    return map;
  }
}
