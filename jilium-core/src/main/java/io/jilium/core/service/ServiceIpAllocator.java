package io.jilium.core.service;

import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import io.jilium.core.resource.IpFamily;
import io.jilium.core.resource.ServiceResource;
import io.jilium.core.resource.ServiceResource.IpFamilyPolicy;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * ClusterIPs from one service CIDR per family, as the Kubernetes API server assigns them: the
 * families follow {@code ipFamilies} and {@code ipFamilyPolicy} (SingleStack by default, the first
 * configured CIDR being the primary family), a requested address must lie in its family's CIDR and
 * be free, and addresses return to the pool when the Service is released. Unlike Kubernetes
 * (random), the lowest free address is taken, so the same sequence of requests gives the same
 * addresses. The network address, and for IPv4 the broadcast address, are never handed out. Not
 * thread-safe: one owner (the control loop).
 */
public final class ServiceIpAllocator {
  /** Jilium's default IPv4 service CIDR. */
  public static final Cidr DEFAULT_IPV4_CIDR = Cidr.parse("10.202.0.0/16");

  /** Jilium's default IPv6 service CIDR. */
  public static final Cidr DEFAULT_IPV6_CIDR = Cidr.parse("fd00:10:202::/112");

  private final Map<IpFamily, Range> ranges = new EnumMap<>(IpFamily.class);
  private final IpFamily primary;
  private final Map<String, Allocation> byService = new HashMap<>();

  /**
   * @param cidrs one or two CIDRs of different families; the first one's family is the primary
   */
  public ServiceIpAllocator(List<Cidr> cidrs) {
    if (cidrs.isEmpty() || cidrs.size() > 2) {
      throw new IllegalArgumentException(
          "service CIDRs: " + cidrs + " (expected: one or two, one per IP family)");
    }
    for (Cidr c : cidrs) {
      IpFamily f = c.isIpv4() ? IpFamily.IPV4 : IpFamily.IPV6;
      if (ranges.containsKey(f)) {
        throw new IllegalArgumentException(
            "service CIDRs: " + cidrs + " has two " + f + " CIDRs (expected: one per IP family)");
      }
      ranges.put(f, new Range(c));
    }
    this.primary = cidrs.get(0).isIpv4() ? IpFamily.IPV4 : IpFamily.IPV6;
  }

  /** Dual stack with Jilium's default CIDRs, IPv4 primary. */
  public static ServiceIpAllocator defaults() {
    return new ServiceIpAllocator(List.of(DEFAULT_IPV4_CIDR, DEFAULT_IPV6_CIDR));
  }

  /** The families and ClusterIPs of a Service (no addresses when it is headless). */
  public record Allocation(List<IpFamily> families, List<String> clusterIps) {
    public Allocation {
      families = List.copyOf(families);
      clusterIps = List.copyOf(clusterIps);
    }
  }

  public Optional<Cidr> cidr(IpFamily family) {
    Range r = ranges.get(family);
    return r == null ? Optional.empty() : Optional.of(r.cidr);
  }

  /**
   * Assigns the Service its families and ClusterIPs, or returns what it holds. A Service may add or
   * drop its secondary family on update; its primary ClusterIP is immutable. All or nothing: a
   * failure leaves the allocator unchanged.
   */
  public Allocation allocate(ServiceResource service) {
    String key = key(service);
    String who = service.displayName();
    List<IpFamily> families = families(service);
    Allocation held = byService.get(key);
    List<byte[]> requested = new ArrayList<>();
    for (String ip : service.clusterIps()) {
      requested.add(IpAddress.parse(ip));
    }
    if (held != null) {
      if (!held.families().isEmpty()
          && !families.isEmpty()
          && held.families().get(0) != families.get(0)) {
        throw new ServiceIpException(
            who
                + ": spec.ipFamilies[0]: "
                + families.get(0)
                + " (expected: "
                + held.families().get(0)
                + ", the primary family is immutable)");
      }
      for (int i = 0; i < requested.size() && i < held.clusterIps().size(); i++) {
        String want = IpAddress.format(requested.get(i));
        if (!want.equals(held.clusterIps().get(i))) {
          throw new ServiceIpException(
              who
                  + ": spec.clusterIPs["
                  + i
                  + "]: "
                  + want
                  + " (expected: "
                  + held.clusterIps().get(i)
                  + ", a ClusterIP is immutable)");
        }
      }
      if (held.clusterIps().isEmpty() != service.headless()) {
        throw new ServiceIpException(
            who + ": spec.clusterIP: cannot change between headless (None) and an address");
      }
    }
    List<String> keep = held == null ? List.of() : held.clusterIps();
    // Check everything before taking anything.
    List<Long> take = new ArrayList<>();
    List<String> ips = new ArrayList<>();
    if (!service.headless()) {
      for (int i = 0; i < families.size(); i++) {
        IpFamily f = families.get(i);
        Range r = ranges.get(f);
        if (i < keep.size()) {
          ips.add(keep.get(i));
          take.add(null);
          continue;
        }
        long offset;
        if (i < requested.size()) {
          byte[] ip = requested.get(i);
          String text = IpAddress.format(ip);
          String path = who + ": spec.clusterIPs[" + i + "]: " + text;
          if (!r.cidr.contains(ip)) {
            throw new ServiceIpException(
                path
                    + " is outside the "
                    + f
                    + " service CIDR "
                    + r.cidr
                    + " (expected: an address in "
                    + r.cidr
                    + ")");
          }
          offset = r.cidr.offsetOf(ip);
          if (offset < r.first || offset > r.last) {
            throw new ServiceIpException(
                path
                    + " is reserved (expected: "
                    + IpAddress.format(r.cidr.addressAt(r.first))
                    + "-"
                    + IpAddress.format(r.cidr.addressAt(r.last))
                    + ")");
          }
          String owner = r.used.get(offset);
          if (owner != null && !owner.equals(key)) {
            throw new ServiceIpException(path + " is already allocated to Service " + owner);
          }
        } else {
          offset = r.lowestFree();
          if (offset < 0) {
            throw new ServiceIpException(
                who
                    + ": no free address in the "
                    + f
                    + " service CIDR "
                    + r.cidr
                    + " ("
                    + r.used.size()
                    + " allocated)");
          }
        }
        take.add(offset);
        ips.add(IpAddress.format(r.cidr.addressAt(offset)));
      }
    }
    // Commit: release what is no longer wanted (a dropped secondary family), take the new ones.
    if (held != null) {
      for (int i = ips.size(); i < held.clusterIps().size(); i++) {
        Range r = ranges.get(held.families().get(i));
        r.used.remove(r.cidr.offsetOf(IpAddress.parse(held.clusterIps().get(i))));
      }
    }
    for (int i = 0; i < take.size(); i++) {
      if (take.get(i) != null) {
        ranges.get(families.get(i)).used.put(take.get(i), key);
      }
    }
    Allocation a = new Allocation(families, ips);
    byService.put(key, a);
    return a;
  }

  /** Releases a Service's ClusterIPs; false when it held none. */
  public boolean release(String namespace, String name) {
    Allocation a = byService.remove(namespace + "/" + name);
    if (a == null) {
      return false;
    }
    for (int i = 0; i < a.clusterIps().size(); i++) {
      Range r = ranges.get(a.families().get(i));
      r.used.remove(r.cidr.offsetOf(IpAddress.parse(a.clusterIps().get(i))));
    }
    return true;
  }

  public Optional<Allocation> allocation(String namespace, String name) {
    return Optional.ofNullable(byService.get(namespace + "/" + name));
  }

  /** Addresses in use in a family's CIDR. */
  public int allocated(IpFamily family) {
    Range r = ranges.get(family);
    return r == null ? 0 : r.used.size();
  }

  private static String key(ServiceResource s) {
    return s.namespace() + "/" + s.name();
  }

  /** The families of a Service, as the API server's initIPFamilyFields decides them. */
  private List<IpFamily> families(ServiceResource s) {
    String who = s.displayName();
    List<IpFamily> asked = new ArrayList<>(s.ipFamilies());
    if (asked.isEmpty()) {
      for (String ip : s.clusterIps()) {
        asked.add(IpFamily.of(IpAddress.parse(ip)));
      }
    }
    for (int i = 0; i < asked.size(); i++) {
      if (!ranges.containsKey(asked.get(i))) {
        String field =
            s.ipFamilies().isEmpty() ? "spec.clusterIPs[" + i + "]" : "spec.ipFamilies[" + i + "]";
        throw new ServiceIpException(
            who
                + ": "
                + field
                + ": "
                + asked.get(i)
                + " is not configured (no "
                + asked.get(i)
                + " service CIDR; expected: "
                + ranges.keySet().iterator().next()
                + ")");
      }
    }
    IpFamilyPolicy policy = s.ipFamilyPolicy().orElse(IpFamilyPolicy.SINGLE_STACK);
    IpFamily first = asked.isEmpty() ? primary : asked.get(0);
    IpFamily other = first == IpFamily.IPV4 ? IpFamily.IPV6 : IpFamily.IPV4;
    return switch (policy) {
      case SINGLE_STACK -> List.of(first);
      case PREFER_DUAL_STACK -> ranges.containsKey(other) ? List.of(first, other) : List.of(first);
      case REQUIRE_DUAL_STACK -> {
        if (!ranges.containsKey(other)) {
          throw new ServiceIpException(
              who
                  + ": spec.ipFamilyPolicy: RequireDualStack needs an "
                  + other
                  + " service CIDR, and none is configured (expected: PreferDualStack or"
                  + " SingleStack, or configure an "
                  + other
                  + " service CIDR)");
        }
        yield List.of(first, other);
      }
    };
  }

  /** One family's CIDR: offsets in use, by owner ("ns/name"). */
  private static final class Range {
    final Cidr cidr;
    final long first;
    final long last;
    final TreeMap<Long, String> used = new TreeMap<>();

    Range(Cidr cidr) {
      this.cidr = cidr;
      this.first = 1;
      this.last = cidr.isIpv4() ? cidr.size() - 2 : Math.min(cidr.size() - 1, Long.MAX_VALUE - 1);
      if (last < first) {
        throw new IllegalArgumentException(
            "service CIDR " + cidr + " is too small: it leaves no address for Services");
      }
    }

    /** The lowest free offset, or -1. */
    long lowestFree() {
      if (used.isEmpty() || used.lastKey() - used.firstKey() + 1 == used.size()) {
        // no gap (the common case of Services created in a row): no need to walk the set
        long next = used.isEmpty() || used.firstKey() > first ? first : used.lastKey() + 1;
        return next <= last ? next : -1;
      }
      long candidate = first;
      for (long taken : used.keySet()) {
        if (taken > candidate) {
          break;
        }
        candidate = taken + 1;
      }
      return candidate <= last ? candidate : -1;
    }
  }
}
