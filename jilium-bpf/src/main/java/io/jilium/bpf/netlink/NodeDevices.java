package io.jilium.bpf.netlink;

import io.jilium.bpf.sys.LibC;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The node's devices that face the world, where bpf_host load-balances traffic from outside: the
 * devices {@code --devices} names, or by default those carrying a default route (IPv4 or IPv6, main
 * table), as Cilium chooses them. A {@code --devices} entry is an exact name ({@code eth0}) or, as
 * in Cilium, a prefix ending in {@code +} ({@code eth+}: every device whose name starts with {@code
 * eth}). Only Ethernet devices (with a 6-byte hardware address) qualify: the programs expect an
 * Ethernet header.
 */
public final class NodeDevices {
  private NodeDevices() {}

  /**
   * What a scan found.
   *
   * @param devices the devices to attach to, by ifindex
   * @param ignored devices that matched but cannot be used, with the reason (for a log line)
   */
  public record Selection(List<Link> devices, Map<String, String> ignored) {
    public Selection {
      devices = List.copyOf(devices);
      ignored = Map.copyOf(ignored);
    }
  }

  /** Checks {@code --devices} entries: names of 1-15 characters, '+' only at the end. */
  public static List<String> parse(List<String> entries) {
    List<String> out = new ArrayList<>();
    for (String raw : entries) {
      String e = raw.strip();
      if (e.isEmpty()) {
        continue;
      }
      int plus = e.indexOf('+');
      String name = plus < 0 ? e : e.substring(0, plus);
      if ((plus >= 0 && plus != e.length() - 1)
          || name.length() > 15
          || (plus < 0 && name.isEmpty())
          || name.chars().anyMatch(c -> c == '/' || c == ':' || Character.isWhitespace(c))) {
        throw new IllegalArgumentException(
            "--devices entry \""
                + raw
                + "\" (expected: a device name of 1-15 characters such as eth0, or a prefix"
                + " ending in '+' such as eth+)");
      }
      out.add(e);
    }
    return List.copyOf(out);
  }

  /** Whether {@code name} matches a {@code --devices} entry. */
  public static boolean matches(String entry, String name) {
    return entry.endsWith("+")
        ? name.startsWith(entry.substring(0, entry.length() - 1))
        : name.equals(entry);
  }

  /** Reads links and routes through {@code netlink} and selects the devices. */
  public static Selection scan(Netlink netlink, List<String> entries) {
    List<Route> routes = new ArrayList<>(netlink.routes(LibC.AF_INET));
    routes.addAll(netlink.routes(LibC.AF_INET6));
    return select(entries, netlink.links(), routes);
  }

  /**
   * The devices matching {@code entries}, or with no entry those that carry a default route in
   * {@code routes}; loopback and devices without an Ethernet address are ignored.
   */
  public static Selection select(List<String> entries, List<Link> links, List<Route> routes) {
    Set<Integer> defaultRouteDevices = new TreeSet<>();
    for (Route r : routes) {
      if (r.destination().isDefault() && r.outputIndex() > 0) {
        defaultRouteDevices.add(r.outputIndex());
      }
    }
    List<Link> devices = new ArrayList<>();
    Map<String, String> ignored = new LinkedHashMap<>();
    for (Link l : links) {
      boolean wanted =
          entries.isEmpty()
              ? defaultRouteDevices.contains(l.index())
              : entries.stream().anyMatch(e -> matches(e, l.name()));
      if (!wanted) {
        continue;
      }
      if (l.name().equals("lo")) {
        ignored.put(l.name(), "loopback");
      } else if (l.mac().isEmpty()) {
        ignored.put(l.name(), "not an Ethernet device (no hardware address)");
      } else {
        devices.add(l);
      }
    }
    devices.sort(Comparator.comparingInt(Link::index));
    return new Selection(devices, ignored);
  }
}
