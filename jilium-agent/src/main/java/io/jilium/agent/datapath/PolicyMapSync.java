package io.jilium.agent.datapath;

import io.jilium.bpf.maps.PolicyMap;
import io.jilium.core.policy.EndpointPolicy;
import io.jilium.core.policy.PolicyKey;
import io.jilium.core.policy.PolicyValue;
import java.util.Map;

/**
 * Brings an endpoint's policy map to its resolved policy, writing only what differs. New and
 * changed entries go in before stale ones come out, so a connection allowed before and after a
 * change is never dropped in between.
 */
public final class PolicyMapSync {
  /** What a sync changed. */
  public record Result(int added, int updated, int deleted) {
    public boolean changed() {
      return added + updated + deleted > 0;
    }
  }

  private PolicyMapSync() {}

  public static Result sync(PolicyMap map, EndpointPolicy desired) {
    Map<PolicyKey, PolicyMap.Entry> actual = map.dump();
    int added = 0;
    int updated = 0;
    int deleted = 0;
    for (Map.Entry<PolicyKey, PolicyValue> e : desired.entries().entrySet()) {
      PolicyMap.Entry have = actual.get(e.getKey());
      PolicyValue want = e.getValue();
      if (have == null) {
        map.put(e.getKey(), want);
        added++;
      } else if (have.deny() != want.deny()
          || have.unenforced() != want.unenforced()
          || have.proxyPort() != want.proxyPort()) {
        map.put(e.getKey(), want);
        updated++;
      }
    }
    for (PolicyKey k : actual.keySet()) {
      if (!desired.entries().containsKey(k)) {
        map.delete(k);
        deleted++;
      }
    }
    return new Result(added, updated, deleted);
  }
}
