package io.jilium.core.policy;

import io.jilium.core.net.Cidr;
import java.util.List;

/**
 * A CIDR peer: {@code cidr} minus {@code except}. With Cilium's semantics ({@code fromCIDR}, {@code
 * toCIDRSet}) it selects traffic from outside the cluster only: addresses of endpoints keep their
 * endpoint identity. With Kubernetes NetworkPolicy's ({@code ipBlock}, {@code includePods}) it also
 * selects pods whose addresses lie inside.
 */
public record CidrPeer(Cidr cidr, List<Cidr> except, boolean includePods) {
  public CidrPeer {
    except = List.copyOf(except);
    for (Cidr e : except) {
      if (!cidr.contains(e)) {
        throw new IllegalArgumentException("except " + e + " is not inside " + cidr);
      }
    }
  }

  public static CidrPeer of(Cidr cidr) {
    return new CidrPeer(cidr, List.of(), false);
  }

  /** Whether {@code ip} is inside the CIDR and outside every except. */
  public boolean contains(byte[] ip) {
    if (!cidr.contains(ip)) {
      return false;
    }
    for (Cidr e : except) {
      if (e.contains(ip)) {
        return false;
      }
    }
    return true;
  }
}
