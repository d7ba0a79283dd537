package io.jilium.agent.datapath;

import io.jilium.bpf.maps.IpCacheMap;
import io.jilium.core.net.Cidr;
import java.util.Map;
import java.util.Set;

/**
 * Brings the ipcache map to the desired prefix -> identity mapping, {@code localEndpoints} flagged
 * as this node's pods, writing only differences.
 */
public final class IpCacheSync {
  private IpCacheSync() {}

  /** Returns the number of entries written or deleted. */
  public static int sync(IpCacheMap map, Map<Cidr, Integer> desired, Set<Cidr> localEndpoints) {
    Map<Cidr, IpCacheMap.Value> actual = map.dump();
    int changes = 0;
    for (var e : desired.entrySet()) {
      IpCacheMap.Value have = actual.get(e.getKey());
      int flags = localEndpoints.contains(e.getKey()) ? IpCacheMap.FLAG_LOCAL_ENDPOINT : 0;
      if (have == null || have.identity() != e.getValue() || have.flags() != flags) {
        map.put(e.getKey(), e.getValue(), flags);
        changes++;
      }
    }
    for (Cidr c : actual.keySet()) {
      if (!desired.containsKey(c)) {
        map.delete(c);
        changes++;
      }
    }
    return changes;
  }
}
