package io.jilium.bpf;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Probes, once, the kernel features the datapath needs, and says which one is missing. */
public final class BpfFeatures {
  /** One probed feature. */
  public record Feature(String name, boolean available, String detail) {}

  private BpfFeatures() {}

  public static List<Feature> probe() {
    List<Feature> out = new ArrayList<>();
    out.add(progType("BPF program type sched_cls (tc)", LibBpf.BPF_PROG_TYPE_SCHED_CLS));
    out.add(mapType("BPF map type hash", LibBpf.BPF_MAP_TYPE_HASH));
    out.add(mapType("BPF map type lru_hash", LibBpf.BPF_MAP_TYPE_LRU_HASH));
    out.add(mapType("BPF map type lpm_trie", LibBpf.BPF_MAP_TYPE_LPM_TRIE));
    out.add(mapType("BPF map type hash_of_maps", LibBpf.BPF_MAP_TYPE_HASH_OF_MAPS));
    out.add(mapType("BPF map type percpu_hash", LibBpf.BPF_MAP_TYPE_PERCPU_HASH));
    out.add(mapType("BPF map type ringbuf", LibBpf.BPF_MAP_TYPE_RINGBUF));
    out.add(
        helper(
            "BPF helper ringbuf_reserve",
            LibBpf.BPF_PROG_TYPE_SCHED_CLS,
            LibBpf.BPF_FUNC_ringbuf_reserve));
    boolean btf = Files.exists(Path.of("/sys/kernel/btf/vmlinux"));
    out.add(
        new Feature(
            "kernel BTF (/sys/kernel/btf/vmlinux)",
            btf,
            btf ? "" : "CONFIG_DEBUG_INFO_BTF is off"));
    return out;
  }

  /** Throws {@link BpfNotSupportedException} naming the first missing required feature. */
  public static List<Feature> require() {
    List<Feature> features = probe();
    for (Feature f : features) {
      if (!f.available() && !f.name().startsWith("kernel BTF")) {
        throw new BpfNotSupportedException(f.name(), f.detail());
      }
    }
    return features;
  }

  private static Feature progType(String name, int type) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) LibBpf.libbpf_probe_bpf_prog_type.invokeExact(state, type, MemorySegment.NULL);
      return result(name, rc);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private static Feature mapType(String name, int type) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc = (int) LibBpf.libbpf_probe_bpf_map_type.invokeExact(state, type, MemorySegment.NULL);
      return result(name, rc);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private static Feature helper(String name, int progType, int helper) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int rc =
          (int)
              LibBpf.libbpf_probe_bpf_helper.invokeExact(
                  state, progType, helper, MemorySegment.NULL);
      return result(name, rc);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private static Feature result(String name, int rc) {
    if (rc == 1) {
      return new Feature(name, true, "");
    }
    if (rc == 0) {
      return new Feature(name, false, "not supported by this kernel");
    }
    return new Feature(
        name,
        false,
        "probe failed: "
            + io.jilium.bpf.sys.Errno.name(-rc)
            + (rc == -1 ? " (are you root?)" : ""));
  }
}
