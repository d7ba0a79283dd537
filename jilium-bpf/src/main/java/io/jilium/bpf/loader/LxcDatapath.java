package io.jilium.bpf.loader;

import io.jilium.bpf.BpfFs;
import io.jilium.bpf.BpfMap;
import io.jilium.bpf.BpfObject;
import io.jilium.bpf.Btf;
import io.jilium.bpf.TcAttach;
import io.jilium.bpf.maps.CtMap;
import io.jilium.bpf.maps.DatapathLayouts;
import io.jilium.bpf.maps.EndpointsMap;
import io.jilium.bpf.maps.IpCacheMap;
import io.jilium.bpf.maps.MetricsMap;
import io.jilium.bpf.maps.PolicyMapsOuter;
import io.jilium.bpf.sys.LibBpf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pod datapath (bpf_lxc) of one node: the loaded object, its programs and its pinned maps. Maps
 * are pinned under the node's pin directory, so a restarted agent (or a new program version) reuses
 * the same maps and attached programs keep enforcing meanwhile.
 */
public final class LxcDatapath implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LxcDatapath.class);
  public static final String FROM_CONTAINER = "cil_from_container";
  public static final String TO_CONTAINER = "cil_to_container";
  public static final String EVENTS = "jl_events";
  public static final String LOST_EVENTS = "jl_lost_events";
  public static final String FRAGMENTS = "jl_frags";
  public static final String CONFIG = "jl_config";
  public static final List<String> PINNED_MAPS =
      List.of(
          EndpointsMap.NAME,
          IpCacheMap.NAME,
          PolicyMapsOuter.NAME,
          CtMap.NAME4,
          CtMap.NAME6,
          MetricsMap.NAME,
          EVENTS,
          LOST_EVENTS,
          FRAGMENTS,
          CONFIG);

  private final Path pinDir;
  private final BpfObject object;
  private final int fromContainerFd;
  private final int toContainerFd;
  private final Map<String, BpfMap> maps;
  private final EndpointsMap endpoints;
  private final IpCacheMap ipcache;
  private final PolicyMapsOuter policies;
  private final CtMap ct4;
  private final CtMap ct6;
  private final MetricsMap metrics;

  private LxcDatapath(Path pinDir, BpfObject object, Map<String, BpfMap> maps) {
    this.pinDir = pinDir;
    this.object = object;
    this.maps = maps;
    this.fromContainerFd = object.programFd(FROM_CONTAINER);
    this.toContainerFd = object.programFd(TO_CONTAINER);
    this.endpoints = new EndpointsMap(maps.get(EndpointsMap.NAME));
    this.ipcache = new IpCacheMap(maps.get(IpCacheMap.NAME));
    this.policies = new PolicyMapsOuter(maps.get(PolicyMapsOuter.NAME));
    this.ct4 = new CtMap(maps.get(CtMap.NAME4), false);
    this.ct6 = new CtMap(maps.get(CtMap.NAME6), true);
    this.metrics = new MetricsMap(maps.get(MetricsMap.NAME));
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
    try (Btf btf = Btf.parse(objectFile)) {
      List<String> problems = DatapathLayouts.check(btf);
      if (!problems.isEmpty()) {
        throw new IllegalStateException(
            objectFile.getFileName()
                + " does not match the agent's struct layouts (rebuild both together):\n  "
                + String.join("\n  ", problems));
      }
    }
    BpfFs.ensureMounted(pinDir);
    BpfObject object = BpfObject.open(objectFile);
    try {
      if (eventsRingBytes > 0) {
        if (Integer.bitCount(eventsRingBytes) != 1 || eventsRingBytes < 4096) {
          throw new IllegalArgumentException(
              "events ring buffer size "
                  + eventsRingBytes
                  + " (expected: a power of two, at least 4096)");
        }
        object.setMaxEntries(EVENTS, eventsRingBytes);
      }
      replaceIncompatiblePins(object, pinDir);
    } catch (RuntimeException e) {
      object.close();
      throw e;
    }
    Map<String, BpfMap> maps = new LinkedHashMap<>();
    try {
      Map<String, Path> pins = new LinkedHashMap<>();
      for (String m : PINNED_MAPS) {
        pins.put(m, pinDir.resolve(m));
      }
      object.pinMaps(pins);
      object.load();
      for (String m : PINNED_MAPS) {
        maps.put(m, BpfMap.openPinned(pinDir.resolve(m)));
      }
      return new LxcDatapath(pinDir, object, maps);
    } catch (RuntimeException e) {
      maps.values().forEach(BpfMap::close);
      object.close();
      throw e;
    }
  }

  /**
   * A map pinned by an older datapath whose key or value size differs from this object's cannot be
   * reused (libbpf refuses the whole load). Such a pin is removed so the map is created anew: its
   * entries are lost (for conntrack: established connections are policed again as new), which is
   * logged; the alternative is an agent that cannot start after an upgrade.
   */
  private static void replaceIncompatiblePins(BpfObject object, Path pinDir) {
    for (String m : PINNED_MAPS) {
      Path pin = pinDir.resolve(m);
      if (!Files.exists(pin)) {
        continue;
      }
      BpfObject.MapDef want = object.mapDef(m);
      try (BpfMap have = BpfMap.openPinned(pin)) {
        if (have.keySize() == want.keySize()
            && have.valueSize() == want.valueSize()
            && have.maxEntries() == want.maxEntries()) {
          continue;
        }
        LOG.atWarn()
            .addKeyValue("map", m)
            .addKeyValue(
                "pinned", have.keySize() + "/" + have.valueSize() + "/" + have.maxEntries())
            .addKeyValue(
                "needed", want.keySize() + "/" + want.valueSize() + "/" + want.maxEntries())
            .log(
                "pinned map from an older datapath does not fit (key/value/entries): replacing it");
      }
      try {
        Files.delete(pin);
      } catch (IOException e) {
        throw new UncheckedIOException("removing incompatible pinned map " + pin, e);
      }
    }
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

  /** Attaches (or atomically replaces) both programs on a pod's host-side veth. */
  public void attach(int ifindex, String ifname) {
    TcAttach.attach(
        ifindex, TcAttach.Hook.INGRESS, fromContainerFd, FROM_CONTAINER + " to " + ifname);
    TcAttach.attach(ifindex, TcAttach.Hook.EGRESS, toContainerFd, TO_CONTAINER + " to " + ifname);
  }

  public void detach(int ifindex) {
    TcAttach.detach(ifindex, TcAttach.Hook.INGRESS);
    TcAttach.detach(ifindex, TcAttach.Hook.EGRESS);
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

  public BpfMap map(String name) {
    BpfMap m = maps.get(name);
    if (m == null) {
      throw new IllegalArgumentException("no pinned map " + name);
    }
    return m;
  }

  public Map<String, BpfMap> maps() {
    return maps;
  }

  @Override
  public void close() {
    maps.values().forEach(BpfMap::close);
    object.close();
  }
}
