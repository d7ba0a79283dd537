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
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
  public static final String FRAGMENTS = "jl_frags";
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
          FRAGMENTS);

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
