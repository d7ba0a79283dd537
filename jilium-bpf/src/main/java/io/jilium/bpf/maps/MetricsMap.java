package io.jilium.bpf.maps;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jilium.bpf.BpfMap;
import java.util.ArrayList;
import java.util.List;

/** {@code jl_metrics}: packets and bytes by (reason, direction), summed over CPUs. */
public final class MetricsMap {
  public static final String NAME = "jl_metrics";

  /** A counter: reason 0 is forwarded, others are drop reasons; dir 1 ingress, 2 egress. */
  public record Counter(int reason, int direction, long packets, long bytes) {}

  private final BpfMap map;

  public MetricsMap(BpfMap map) {
    this.map = map;
  }

  public List<Counter> dump() {
    List<Counter> out = new ArrayList<>();
    long slot = (map.valueSize() + 7) & ~7L;
    long cpus = map.valueBufferSize() / slot;
    map.forEach(
        (k, v) -> {
          long packets = 0;
          long bytes = 0;
          for (long c = 0; c < cpus; c++) {
            packets += v.get(JAVA_LONG, c * slot);
            bytes += v.get(JAVA_LONG, c * slot + 8);
          }
          out.add(
              new Counter(k.get(JAVA_BYTE, 0) & 0xff, k.get(JAVA_BYTE, 1) & 0xff, packets, bytes));
        });
    return out;
  }

  public BpfMap raw() {
    return map;
  }
}
