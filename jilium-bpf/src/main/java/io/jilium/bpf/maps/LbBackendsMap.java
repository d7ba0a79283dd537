package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.sys.LibBpf;
import io.jilium.core.net.IpAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code jl_lb4_backends} / {@code jl_lb6_backends}: backend id -> {@code struct lb*_backend}. */
public final class LbBackendsMap {
  public static final String NAME4 = "jl_lb4_backends";
  public static final String NAME6 = "jl_lb6_backends";

  /** {@code LB_BACKEND_ACTIVE}. */
  public static final int ACTIVE = 0;

  /** {@code LB_BACKEND_TERMINATING}: kept for connections that chose it, in no slot. */
  public static final int TERMINATING = 1;

  /** {@code struct lb4_backend} / {@code struct lb6_backend}. {@code port} in host order. */
  public record Backend(byte[] address, int port, int proto, int state) {
    public Backend {
      address = Lb.checkAddress("backend address", address);
      Lb.checkRange("backend port", port, 0, 0xffff);
      Lb.checkRange("backend protocol", proto, 0, 0xff);
      Lb.checkRange("backend state", state, 0, 0xff);
    }

    @Override
    public byte[] address() {
      return address.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Backend b
          && Arrays.equals(address, b.address)
          && port == b.port
          && proto == b.proto
          && state == b.state;
    }

    @Override
    public int hashCode() {
      return ((Arrays.hashCode(address) * 31 + port) * 31 + proto) * 31 + state;
    }

    @Override
    public String toString() {
      return IpAddress.format(address) + ":" + port + "/" + proto + " state " + state;
    }
  }

  private final BpfMap map;
  private final boolean ipv6;

  public LbBackendsMap(BpfMap map, boolean ipv6) {
    this.map = map;
    this.ipv6 = ipv6;
  }

  public boolean ipv6() {
    return ipv6;
  }

  public void put(int id, Backend backend) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v =
          a.allocate(ipv6 ? DatapathLayouts.LB6_BACKEND : DatapathLayouts.LB4_BACKEND);
      writeValue(v, id, backend);
      map.update(key(a, id), v, LibBpf.BPF_ANY);
    }
  }

  /**
   * Puts every backend with one batch call, in order; {@link io.jilium.bpf.MapBatchException} names
   * the first one not written.
   */
  public void putAll(List<Map.Entry<Integer, Backend>> entries) {
    map.updateBatch(
        entries,
        (k, e) -> k.set(JAVA_INT, 0, e.getKey()),
        (v, e) -> writeValue(v, e.getKey(), e.getValue()));
  }

  /** Deletes every id with batch calls, in order; returns how many were present. */
  public int deleteAll(List<Integer> ids) {
    return map.deleteBatch(ids, (k, id) -> k.set(JAVA_INT, 0, id));
  }

  private void writeValue(MemorySegment v, int id, Backend backend) {
    Lb.checkFamily(() -> "backend " + id + " " + backend, backend.address, ipv6);
    int alen = backend.address.length;
    Bytes.putBytes(v, 0, backend.address);
    Bytes.putBe16(v, alen, backend.port());
    v.set(JAVA_BYTE, alen + 2, (byte) backend.proto());
    v.set(JAVA_BYTE, alen + 3, (byte) backend.state());
  }

  public boolean delete(int id) {
    try (Arena a = Arena.ofConfined()) {
      return map.delete(key(a, id));
    }
  }

  public Optional<Backend> get(int id) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment v = a.allocate(map.valueSize(), 4);
      return map.lookup(key(a, id), v) ? Optional.of(backend(v)) : Optional.empty();
    }
  }

  public Map<Integer, Backend> dump() {
    Map<Integer, Backend> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(k.get(JAVA_INT, 0), backend(v)));
    return out;
  }

  private Backend backend(MemorySegment v) {
    int alen = ipv6 ? 16 : 4;
    return new Backend(
        Bytes.getBytes(v, 0, alen),
        Bytes.getBe16(v, alen),
        v.get(JAVA_BYTE, alen + 2) & 0xff,
        v.get(JAVA_BYTE, alen + 3) & 0xff);
  }

  private static MemorySegment key(Arena a, int id) {
    MemorySegment k = a.allocate(JAVA_INT);
    k.set(JAVA_INT, 0, id);
    return k;
  }

  public BpfMap raw() {
    return map;
  }
}
