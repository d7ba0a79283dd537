package io.jilium.bpf.loader;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.BpfObject;
import io.jilium.bpf.maps.LbMaglevMap;
import io.jilium.bpf.maps.LbMaps;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import io.jilium.core.service.Maglev;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node-device datapath (bpf_host) of one node: per-packet load balancing of traffic from
 * outside the node to NodePorts, external IPs and LoadBalancer IPs. The programs go on the node's
 * devices ({@link io.jilium.bpf.netlink.NodeDevices}); the maps are the same pinned maps every
 * datapath object shares, plus the Maglev tables, which only this object declares.
 */
public final class HostDatapath implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HostDatapath.class);
  public static final String FROM_NETDEV = "cil_from_netdev";
  public static final String TO_NETDEV = "cil_to_netdev";

  /** The read-only global holding M, the size of every Maglev table. */
  public static final String MAGLEV_SIZE_VARIABLE = "lb_maglev_size";

  /** The shared maps, and the two Maglev outer maps. */
  public static final List<String> PINNED_MAPS =
      Stream.concat(
              LxcDatapath.PINNED_MAPS.stream(), Stream.of(LbMaglevMap.NAME4, LbMaglevMap.NAME6))
          .toList();

  private final PinnedObject loaded;
  private final TcPrograms programs;
  private final LbMaglevMap maglev4;
  private final LbMaglevMap maglev6;
  private final LbMaps lb;

  private HostDatapath(PinnedObject loaded, int maglevTableSize) {
    this.loaded = loaded;
    BpfObject object = loaded.object();
    Map<String, BpfMap> maps = loaded.maps();
    this.programs = TcPrograms.of(object, FROM_NETDEV, TO_NETDEV);
    this.maglev4 = new LbMaglevMap(maps.get(LbMaglevMap.NAME4), false, maglevTableSize);
    this.maglev6 = new LbMaglevMap(maps.get(LbMaglevMap.NAME6), true, maglevTableSize);
    this.lb = LbMaps.of(maps::get);
  }

  /**
   * Checks the object's BTF against the Java layouts, sets the Maglev table size M ({@code
   * --bpf-lb-maglev-table-size}) and loads it with every shared map reused from (or pinned to)
   * {@code pinDir}. Pinned Maglev maps made for another M are replaced (their tables are lost: the
   * agent writes them again).
   */
  public static HostDatapath load(Path objectFile, Path pinDir, int maglevTableSize) {
    if (maglevTableSize < 1 || maglevTableSize > Maglev.MAX_TABLE_SIZE) {
      throw new IllegalArgumentException(
          "Maglev table size "
              + maglevTableSize
              + " (expected: 1-"
              + Maglev.MAX_TABLE_SIZE
              + ", a prime such as "
              + Maglev.DEFAULT_TABLE_SIZE
              + ")");
    }
    PinnedObject loaded =
        PinnedObject.load(
            objectFile,
            pinDir,
            object -> PinnedObject.declared(object, PINNED_MAPS),
            object -> {
              // the events ring is sized by the pod datapath's loader (--events-ring-size)
              PinnedObject.adoptPinnedSize(object, pinDir, LxcDatapath.EVENTS);
              object.setReadOnlyInt(MAGLEV_SIZE_VARIABLE, maglevTableSize);
              for (String m : List.of(LbMaglevMap.NAME4, LbMaglevMap.NAME6)) {
                object.setInnerMapValueSize(m, maglevTableSize * 4);
                replaceIfOtherTableSize(pinDir.resolve(m), maglevTableSize);
              }
            });
    try {
      return new HostDatapath(loaded, maglevTableSize);
    } catch (RuntimeException e) {
      loaded.close();
      throw e;
    }
  }

  /**
   * The kernel fixes an outer map's inner value size when the outer map is created, and does not
   * tell it back. So the pinned map is probed: it takes an inner map of this size (at key 0, which
   * no service uses) or it was made for another M and is removed.
   */
  private static void replaceIfOtherTableSize(Path pin, int tableSize) {
    if (!Files.exists(pin)) {
      return;
    }
    try (BpfMap outer = BpfMap.openPinned(pin);
        BpfMap probe =
            BpfMap.create(LibBpf.BPF_MAP_TYPE_ARRAY, "jl_maglev_probe", 4, tableSize * 4, 1, 0);
        Arena a = Arena.ofConfined()) {
      MemorySegment key = a.allocate(ValueLayout.JAVA_SHORT);
      MemorySegment fd = a.allocateFrom(ValueLayout.JAVA_INT, probe.fd());
      try {
        outer.update(key, fd, LibBpf.BPF_ANY);
        outer.delete(key);
        return;
      } catch (ErrnoException e) {
        LOG.atWarn()
            .addKeyValue("map", pin.getFileName())
            .addKeyValue("tableSize", tableSize)
            .addKeyValue("error", e.getMessage())
            .log("pinned Maglev map was made for another table size: replacing it");
      }
    }
    try {
      Files.delete(pin);
    } catch (IOException e) {
      throw new UncheckedIOException("removing pinned Maglev map " + pin, e);
    }
  }

  /** Attaches (or atomically replaces) both programs on a node device. */
  public void attach(int ifindex, String ifname) {
    programs.attach(ifindex, ifname);
  }

  /** Removes both programs from a device; a device without them is left as it is. */
  public void detach(int ifindex) {
    programs.detach(ifindex);
  }

  public LbMaglevMap maglev4() {
    return maglev4;
  }

  public LbMaglevMap maglev6() {
    return maglev6;
  }

  /** The shared load-balancing maps (the same as every other datapath object's). */
  public LbMaps lb() {
    return lb;
  }

  /** A shared map by name. */
  public BpfMap map(String name) {
    return loaded.map(name);
  }

  /** Closes the map and program fds; pins and attached programs stay. */
  @Override
  public void close() {
    loaded.close();
  }
}
