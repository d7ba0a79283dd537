package io.jilium.agent.datapath;

import io.jilium.bpf.maps.LbNetnsMap;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@code jl_lb_netns} at the network namespaces whose sockets the socket hooks translate: the
 * host's and every endpoint's (by netns cookie). Runs on the control loop.
 */
public final class LbNetnsSync {
  private static final Logger LOG = LoggerFactory.getLogger(LbNetnsSync.class);

  private final LbNetnsMap map;
  private final ToLongFunction<Path> cookieOf;
  private final long hostCookie;
  private final Map<Integer, Long> byEndpoint = new HashMap<>();

  /**
   * @param cookieOf the cookie of a network namespace (SO_NETNS_COOKIE of a socket opened in it)
   */
  public LbNetnsSync(LbNetnsMap map, ToLongFunction<Path> cookieOf, long hostCookie) {
    this.map = map;
    this.cookieOf = cookieOf;
    this.hostCookie = hostCookie;
  }

  /** An endpoint's namespace joins; its sockets are translated from now on. */
  public void add(int endpointId, Path netns) {
    long cookie = cookieOf.applyAsLong(netns);
    map.put(cookie, LbNetnsMap.POD);
    byEndpoint.put(endpointId, cookie);
  }

  /** An endpoint is gone; false when it was not registered. */
  public boolean remove(int endpointId) {
    Long cookie = byEndpoint.remove(endpointId);
    if (cookie == null) {
      return false;
    }
    if (!byEndpoint.containsValue(cookie)) {
      map.delete(cookie);
    }
    return true;
  }

  /**
   * Brings the map to exactly the host and {@code endpoints} (after a restart): missing cookies
   * first, then stale ones removed. A namespace whose cookie cannot be read is left out, logged.
   */
  public void sync(Map<Integer, Path> endpoints) {
    byEndpoint.clear();
    Map<Long, Integer> want = new HashMap<>();
    want.put(hostCookie, LbNetnsMap.HOST);
    endpoints.forEach(
        (id, netns) -> {
          try {
            long c = cookieOf.applyAsLong(netns);
            byEndpoint.put(id, c);
            want.putIfAbsent(c, LbNetnsMap.POD);
          } catch (RuntimeException e) {
            LOG.atWarn()
                .setCause(e)
                .addKeyValue("endpointId", id)
                .log("netns cookie unreadable; its sockets are not translated");
          }
        });
    Map<Long, Integer> have = map.dump();
    want.forEach(
        (c, kind) -> {
          if (!kind.equals(have.get(c))) {
            map.put(c, kind);
          }
        });
    for (long c : have.keySet()) {
      if (!want.containsKey(c)) {
        map.delete(c);
      }
    }
  }
}
