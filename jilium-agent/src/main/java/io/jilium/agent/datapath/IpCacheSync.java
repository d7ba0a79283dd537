package io.jilium.agent.datapath;

import io.jilium.bpf.maps.IpCacheMap;
import io.jilium.core.net.Cidr;
import java.util.Map;

/** Brings the ipcache map to the desired prefix -> identity mapping, writing only differences. */
public final class IpCacheSync {
  private IpCacheSync() {}

  /** Returns the number of entries written or deleted. */
  public static int sync(IpCacheMap map, Map<Cidr, Integer> desired) {
    Map<Cidr, IpCacheMap.Value> actual = map.dump();
    int changes = 0;
    for (var e : desired.entrySet()) {
      IpCacheMap.Value have = actual.get(e.getKey());
      if (have == null || have.identity() != e.getValue()) {
        map.put(e.getKey(), e.getValue());
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
