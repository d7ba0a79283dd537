package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.sys.LibBpf;
import io.jilium.core.policy.Direction;
import io.jilium.core.policy.PolicyKey;
import io.jilium.core.policy.PolicyValue;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.TreeMap;

/**
 * One endpoint's policy map: an LPM trie of {@code struct policy_key} -> {@code struct
 * policy_entry}. The datapath matches the first 40 bits (identity, direction) exactly and the
 * protocol and port by prefix, so a control-plane {@link PolicyKey} with prefix length L becomes an
 * LPM key of length 40 + L.
 */
public final class PolicyMap implements AutoCloseable {
  public static final int MAX_ENTRIES = 16384;
  public static final int KEY_SIZE = 12;
  public static final int VALUE_SIZE = 24;
  private static final int STATIC_PREFIX_BITS = 40;
  private static final byte FLAG_DENY = 0x1;
  private static final byte FLAG_PROTO = 0x2;
  private static final byte FLAG_PORT = 0x4;
  private static final byte FLAG_UNENFORCED = 0x8;

  /**
   * What the datapath holds for a key, with its counters. {@code unenforced}: the agent's allow-all
   * of a direction no policy enforces (the datapath sends no policy verdicts for it).
   */
  public record Entry(
      boolean deny, boolean unenforced, int proxyPort, int cookie, long packets, long bytes) {}

  private final BpfMap map;

  public PolicyMap(BpfMap map) {
    this.map = map;
  }

  /** Creates an empty map matching the inner map template of {@code jl_policy}. */
  public static PolicyMap create(int endpointId) {
    return new PolicyMap(
        BpfMap.create(
            LibBpf.BPF_MAP_TYPE_LPM_TRIE,
            "jl_pol_" + endpointId,
            KEY_SIZE,
            VALUE_SIZE,
            MAX_ENTRIES,
            LibBpf.BPF_F_NO_PREALLOC));
  }

  /** Inserts or replaces the entry of a resolved policy value. */
  public void put(PolicyKey key, PolicyValue value) {
    put(key, value.deny(), value.unenforced(), value.proxyPort(), 0);
  }

  /**
   * Inserts or replaces; counters of a replaced entry restart at zero. The flags also say what the
   * key names (protocol, port), from which the datapath reports a verdict's match type.
   */
  public void put(PolicyKey key, boolean deny, boolean unenforced, int proxyPort, int cookie) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = key(a, key);
      MemorySegment v = a.allocate(DatapathLayouts.POLICY_ENTRY);
      Bytes.putBe16(v, 0, proxyPort);
      int flags = deny ? FLAG_DENY : 0;
      if (key.prefixLength() >= PolicyKey.PROTO_PREFIX) {
        flags |= FLAG_PROTO;
      }
      if (key.prefixLength() > PolicyKey.PROTO_PREFIX) {
        flags |= FLAG_PORT;
      }
      if (unenforced) {
        flags |= FLAG_UNENFORCED;
      }
      v.set(JAVA_BYTE, 2, (byte) flags);
      v.set(JAVA_INT, 4, cookie);
      map.update(k, v, LibBpf.BPF_ANY);
    }
  }

  public boolean delete(PolicyKey key) {
    try (Arena a = Arena.ofConfined()) {
      return map.delete(key(a, key));
    }
  }

  public Map<PolicyKey, Entry> dump() {
    Map<PolicyKey, Entry> out = new TreeMap<>();
    map.forEach(
        (k, v) -> {
          int prefix = k.get(JAVA_INT, 0) - STATIC_PREFIX_BITS;
          Direction d = k.get(JAVA_BYTE, 8) != 0 ? Direction.EGRESS : Direction.INGRESS;
          PolicyKey key =
              new PolicyKey(
                  k.get(JAVA_INT, 4),
                  d,
                  prefix == 0 ? 0 : k.get(JAVA_BYTE, 9) & 0xff,
                  prefix <= PolicyKey.PROTO_PREFIX ? 0 : Bytes.getBe16(k, 10),
                  prefix);
          out.put(
              key,
              new Entry(
                  (v.get(JAVA_BYTE, 2) & FLAG_DENY) != 0,
                  (v.get(JAVA_BYTE, 2) & FLAG_UNENFORCED) != 0,
                  Bytes.getBe16(v, 0),
                  v.get(JAVA_INT, 4),
                  v.get(JAVA_LONG, 8),
                  v.get(JAVA_LONG, 16)));
        });
    return out;
  }

  private static MemorySegment key(Arena a, PolicyKey key) {
    MemorySegment k = a.allocate(DatapathLayouts.POLICY_KEY);
    k.set(JAVA_INT, 0, STATIC_PREFIX_BITS + key.prefixLength());
    k.set(JAVA_INT, 4, key.identity());
    k.set(JAVA_BYTE, 8, (byte) (key.direction() == Direction.EGRESS ? 1 : 0));
    k.set(JAVA_BYTE, 9, (byte) key.protocol());
    Bytes.putBe16(k, 10, key.port());
    return k;
  }

  public BpfMap raw() {
    return map;
  }

  @Override
  public void close() {
    map.close();
  }
}
