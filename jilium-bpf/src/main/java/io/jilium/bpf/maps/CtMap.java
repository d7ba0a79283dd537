package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jilium.bpf.BpfMap;
import io.jilium.core.net.IpAddress;
import java.util.ArrayList;
import java.util.List;

/** {@code jl_ct4} / {@code jl_ct6}: connection tracking entries. */
public final class CtMap {
  public static final String NAME4 = "jl_ct4";
  public static final String NAME6 = "jl_ct6";

  /** One tracked connection ({@code struct ct_key*} + {@code struct ct_entry}). */
  public record Entry(
      boolean ipv6,
      String source,
      int sourcePort,
      String destination,
      int destinationPort,
      int protocol,
      boolean ingress,
      long txPackets,
      long txBytes,
      long rxPackets,
      long rxBytes,
      long lifetimeSeconds,
      int flags,
      int sourceIdentity,
      int endpointId) {}

  private final BpfMap map;
  private final boolean ipv6;

  public CtMap(BpfMap map, boolean ipv6) {
    this.map = map;
    this.ipv6 = ipv6;
  }

  public List<Entry> dump() {
    List<Entry> out = new ArrayList<>();
    int alen = ipv6 ? 16 : 4;
    map.forEach(
        (k, v) -> {
          long o = 2L * alen;
          out.add(
              new Entry(
                  ipv6,
                  IpAddress.format(Bytes.getBytes(k, alen, alen)),
                  Bytes.getBe16(k, o + 2),
                  IpAddress.format(Bytes.getBytes(k, 0, alen)),
                  Bytes.getBe16(k, o),
                  k.get(JAVA_BYTE, o + 4) & 0xff,
                  k.get(JAVA_BYTE, o + 5) != 0,
                  v.get(JAVA_LONG, 0),
                  v.get(JAVA_LONG, 8),
                  v.get(JAVA_LONG, 16),
                  v.get(JAVA_LONG, 24),
                  Integer.toUnsignedLong(v.get(JAVA_INT, 32)),
                  v.get(JAVA_SHORT, 36) & 0xffff,
                  v.get(JAVA_INT, 40),
                  v.get(JAVA_INT, 44)));
        });
    return out;
  }

  public BpfMap raw() {
    return map;
  }
}
