package io.jilium.agent.service;

import io.jilium.core.resource.ServiceResource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Node ports from {@code --service-node-port-range}, as the API server assigns them: a port of a
 * NodePort or LoadBalancer Service (unless {@code allocateLoadBalancerNodePorts: false}) without
 * {@code nodePort} gets one; a requested one must lie in the range and not belong to another
 * Service. A port number belongs to one Service (which may use it for TCP and UDP). On update a
 * port keeps the node port it had (matched by port and protocol). Lowest free first, so the same
 * requests give the same ports. All or nothing per call. Not thread-safe: the control loop owns it.
 */
public final class NodePortAllocator {
  /** Kubernetes' default range. */
  public static final int DEFAULT_MIN = 30000;

  public static final int DEFAULT_MAX = 32767;

  private final int min;
  private final int max;
  private final TreeMap<Integer, String> owner = new TreeMap<>();
  private final Map<String, List<Held>> byService = new HashMap<>();

  private record Held(int port, String protocol, int nodePort) {}

  public NodePortAllocator(int min, int max) {
    if (min < 1 || max > 65535 || min > max) {
      throw new IllegalArgumentException(
          "node port range " + min + "-" + max + " (expected: from-to within 1-65535)");
    }
    this.min = min;
    this.max = max;
  }

  /** Parses {@code --service-node-port-range}: {@code 30000-32767}. */
  public static NodePortAllocator parseRange(String range) {
    String[] parts = range.split("-", -1);
    try {
      if (parts.length == 2) {
        return new NodePortAllocator(
            Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "node port range \"" + range + "\" (expected: from-to, e.g. 30000-32767)");
  }

  public int min() {
    return min;
  }

  public int max() {
    return max;
  }

  /**
   * The node port of each of the Service's ports (0: none), in {@code spec.ports} order.
   *
   * @throws NodePortException naming the Service and field when a request cannot be met
   */
  public List<Integer> allocate(ServiceResource service) {
    String key = service.namespace() + "/" + service.name();
    String who = service.displayName();
    boolean wants =
        service.type() == ServiceResource.Type.NODE_PORT
            || (service.type() == ServiceResource.Type.LOAD_BALANCER
                && service.allocateLoadBalancerNodePorts());
    List<Held> held = byService.getOrDefault(key, List.of());
    List<ServiceResource.Port> ports = service.ports();
    int[] out = new int[ports.size()];
    Set<Integer> mine = new HashSet<>();
    // requested ports first: they may take a number this Service held for another port
    for (int i = 0; i < ports.size(); i++) {
      ServiceResource.Port p = ports.get(i);
      if (p.nodePort() == 0) {
        continue;
      }
      String field = who + ": spec.ports[" + i + "].nodePort: " + p.nodePort();
      if (!service.type().hasNodePorts()) {
        throw new NodePortException(
            field + " (expected: no nodePort for type " + service.type().apiName() + ")");
      }
      if (p.nodePort() < min || p.nodePort() > max) {
        throw new NodePortException(
            field + " is outside the node port range (expected: " + min + "-" + max + ")");
      }
      String o = owner.get(p.nodePort());
      if (o != null && !o.equals(key)) {
        throw new NodePortException(field + " is already allocated to Service " + o);
      }
      out[i] = p.nodePort();
      mine.add(p.nodePort());
    }
    if (wants) {
      for (int i = 0; i < ports.size(); i++) {
        ServiceResource.Port p = ports.get(i);
        if (out[i] != 0) {
          continue;
        }
        Optional<Held> kept =
            held.stream()
                .filter(h -> h.port() == p.port() && h.protocol().equals(p.protocol().name()))
                .findFirst();
        if (kept.isPresent() && !mine.contains(kept.get().nodePort())) {
          out[i] = kept.get().nodePort();
        } else {
          int candidate = lowestFree(mine);
          if (candidate < 0) {
            throw new NodePortException(
                who
                    + ": spec.ports["
                    + i
                    + "]: no free node port in "
                    + min
                    + "-"
                    + max
                    + " ("
                    + owner.size()
                    + " allocated)");
          }
          out[i] = candidate;
        }
        mine.add(out[i]);
      }
    }
    // commit
    release(key);
    List<Held> now = new ArrayList<>();
    List<Integer> result = new ArrayList<>();
    for (int i = 0; i < ports.size(); i++) {
      result.add(out[i]);
      if (out[i] != 0) {
        owner.put(out[i], key);
        now.add(new Held(ports.get(i).port(), ports.get(i).protocol().name(), out[i]));
      }
    }
    if (!now.isEmpty()) {
      byService.put(key, List.copyOf(now));
    }
    return result;
  }

  /** Frees a Service's node ports; false when it held none. */
  public boolean release(String key) {
    List<Held> held = byService.remove(key);
    if (held == null) {
      return false;
    }
    for (Held h : held) {
      owner.remove(h.nodePort(), key);
    }
    return true;
  }

  /** Which Service ({@code ns/name}) holds a node port. */
  public Optional<String> owner(int nodePort) {
    return Optional.ofNullable(owner.get(nodePort));
  }

  public int allocated() {
    return owner.size();
  }

  private int lowestFree(Set<Integer> taken) {
    for (int candidate = min; candidate <= max; candidate++) {
      if (!owner.containsKey(candidate) && !taken.contains(candidate)) {
        return candidate;
      }
    }
    return -1;
  }
}
