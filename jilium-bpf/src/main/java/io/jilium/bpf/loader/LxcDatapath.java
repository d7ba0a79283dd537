package io.jilium.bpf.loader;

import io.jilium.bpf.BpfMap;
import io.jilium.bpf.BpfObject;
import io.jilium.bpf.maps.CtMap;
import io.jilium.bpf.maps.DatapathLayouts;
import io.jilium.bpf.maps.EndpointsMap;
import io.jilium.bpf.maps.IpCacheMap;
import io.jilium.bpf.maps.LbMaps;
import io.jilium.bpf.maps.MetricsMap;
import io.jilium.bpf.maps.PolicyMapsOuter;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The pod datapath (bpf_lxc) of one node: the loaded object, its programs and its pinned maps. Maps
 * are pinned under the node's pin directory, so a restarted agent (or a new program version) reuses
 * the same maps and attached programs keep enforcing meanwhile.
 */
public final class LxcDatapath implements AutoCloseable {
  public static final String FROM_CONTAINER = "cil_from_container";
  public static final String TO_CONTAINER = "cil_to_container";
  public static final String EVENTS = "jl_events";
  public static final String LOST_EVENTS = "jl_lost_events";
  public static final String EVENTS_READER = "jl_events_reader";
  public static final String FRAGMENTS = "jl_frags";
  public static final String CONFIG = "jl_config";

  /** Every map of bpf/lib/maps.h (and frag.h) the object declares: all are shared by pinning. */
  public static final List<String> PINNED_MAPS =
      Stream.concat(
              Stream.of(
                  EndpointsMap.NAME,
                  IpCacheMap.NAME,
                  PolicyMapsOuter.NAME,
                  CtMap.NAME4,
                  CtMap.NAME6,
                  MetricsMap.NAME,
                  EVENTS,
                  LOST_EVENTS,
                  EVENTS_READER,
                  FRAGMENTS,
                  CONFIG),
              LbMaps.MAP_NAMES.stream())
          .toList();

  private final Path pinDir;
  private final PinnedObject loaded;
  private final TcPrograms programs;
  private final EndpointsMap endpoints;
  private final IpCacheMap ipcache;
  private final PolicyMapsOuter policies;
  private final CtMap ct4;
  private final CtMap ct6;
  private final MetricsMap metrics;
  private final LbMaps lb;

  private LxcDatapath(Path pinDir, PinnedObject loaded) {
    this.pinDir = pinDir;
    this.loaded = loaded;
    BpfObject object = loaded.object();
    Map<String, BpfMap> maps = loaded.maps();
    this.programs = TcPrograms.of(object, FROM_CONTAINER, TO_CONTAINER);
    this.endpoints = new EndpointsMap(maps.get(EndpointsMap.NAME));
    this.ipcache = new IpCacheMap(maps.get(IpCacheMap.NAME));
    this.policies = new PolicyMapsOuter(maps.get(PolicyMapsOuter.NAME));
    this.ct4 = new CtMap(maps.get(CtMap.NAME4), false);
    this.ct6 = new CtMap(maps.get(CtMap.NAME6), true);
    this.metrics = new MetricsMap(maps.get(MetricsMap.NAME));
    this.lb = LbMaps.of(maps::get);
  }

  /**
   * Checks the object's BTF against the Java layouts, then loads it with every shared map reused
   * from (or pinned to) {@code pinDir}.
   */
  public static LxcDatapath load(Path objectFile, Path pinDir) {
    return load(objectFile, pinDir, 0);
  }

  /**
   * As {@link #load(Path, Path)}, with the events ring buffer resized to {@code eventsRingBytes} (a
   * power of two, at least a page; 0 keeps the object's 8 MiB).
   */
  public static LxcDatapath load(Path objectFile, Path pinDir, int eventsRingBytes) {
    if (eventsRingBytes > 0 && (Integer.bitCount(eventsRingBytes) != 1 || eventsRingBytes < 4096)) {
      throw new IllegalArgumentException(
          "events ring buffer size "
              + eventsRingBytes
              + " (expected: a power of two, at least 4096)");
    }
    PinnedObject loaded =
        PinnedObject.load(
            objectFile,
            pinDir,
            object -> PINNED_MAPS,
            object -> {
              if (eventsRingBytes > 0) {
                object.setMaxEntries(EVENTS, eventsRingBytes);
              }
            });
    return new LxcDatapath(pinDir, loaded);
  }

  /** Notifications that did not fit into the events ring buffer since the map was created. */
  public long lostEvents() {
    BpfMap map = map(LOST_EVENTS);
    long[] total = {0};
    map.forEach(
        (k, v) -> {
          long slot = (map.valueSize() + 7) & ~7L; // per-CPU values are 8-byte aligned
          for (long off = 0; off + 8 <= v.byteSize(); off += slot) {
            total[0] += v.get(ValueLayout.JAVA_LONG, off);
          }
        });
    return total[0];
  }

  /** Writes the run-time configuration the programs read (struct lxc_config). */
  public void configure(DatapathConfig c) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = a.allocate(ValueLayout.JAVA_INT);
      MemorySegment v = a.allocate(DatapathLayouts.LXC_CONFIG);
      v.set(ValueLayout.JAVA_INT, 0, c.aggregation().level());
      v.set(ValueLayout.JAVA_INT, 4, c.reportIntervalSeconds());
      v.set(ValueLayout.JAVA_BYTE, 8, (byte) c.reportTcpFlags());
      v.set(ValueLayout.JAVA_BYTE, 9, (byte) (c.traceEnabled() ? 1 : 0));
      v.set(ValueLayout.JAVA_BYTE, 10, (byte) (c.policyVerdictEnabled() ? 1 : 0));
      map(CONFIG).update(k, v, LibBpf.BPF_ANY);
    }
  }

  /**
   * Tells the datapath whether the agent's reader is draining the events ring on its own timer
   * (then records need not wake it: bpf/lib/notify.h).
   */
  public void setEventsReaderDraining(boolean draining) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = a.allocate(ValueLayout.JAVA_INT);
      MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
      v.set(ValueLayout.JAVA_INT, 0, draining ? 1 : 0);
      map(EVENTS_READER).update(k, v, LibBpf.BPF_ANY);
    }
  }

  /** Attaches (or atomically replaces) both programs on a pod's host-side veth. */
  public void attach(int ifindex, String ifname) {
    programs.attach(ifindex, ifname);
  }

  public void detach(int ifindex) {
    programs.detach(ifindex);
  }

  public Path pinDir() {
    return pinDir;
  }

  public EndpointsMap endpoints() {
    return endpoints;
  }

  public IpCacheMap ipcache() {
    return ipcache;
  }

  public PolicyMapsOuter policies() {
    return policies;
  }

  public CtMap ct4() {
    return ct4;
  }

  public CtMap ct6() {
    return ct6;
  }

  public MetricsMap metrics() {
    return metrics;
  }

  /** The load-balancing maps (shared with bpf_sock and bpf_host through the pins). */
  public LbMaps lb() {
    return lb;
  }

  public BpfMap map(String name) {
    return loaded.map(name);
  }

  public Map<String, BpfMap> maps() {
    return loaded.maps();
  }

  @Override
  public void close() {
    loaded.close();
  }
}
