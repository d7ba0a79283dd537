package io.jilium.bpf.netlink;

import java.util.Objects;
import java.util.Optional;

/**
 * A network device as rtnetlink reports it ({@code struct ifinfomsg} plus its {@code IFLA_*}
 * attributes).
 *
 * @param index the ifindex, unique within the device's namespace
 * @param name {@code IFLA_IFNAME}
 * @param mac {@code IFLA_ADDRESS} when it is a 6-byte Ethernet address (absent for e.g. tunnels)
 * @param mtu {@code IFLA_MTU}
 * @param flags {@code ifi_flags}: {@code IFF_UP} (1), {@code IFF_RUNNING} (0x40), {@code
 *     IFF_LOWER_UP} (0x10000), ...
 * @param kind {@code IFLA_INFO_KIND} such as {@code veth} or {@code dummy}; absent for physical
 *     devices and loopback
 * @param linkIndex {@code IFLA_LINK}: for a veth the peer's ifindex (in the peer's namespace), 0
 *     when none
 */
public record Link(
    int index,
    String name,
    Optional<MacAddress> mac,
    int mtu,
    int flags,
    Optional<String> kind,
    int linkIndex) {
  /** {@code IFF_UP}: administratively up. */
  public static final int IFF_UP = 0x1;

  /** {@code IFF_RUNNING}: operationally up. */
  public static final int IFF_RUNNING = 0x40;

  /** {@code IFF_LOWER_UP}: the carrier is up (for a veth: the peer is up). */
  public static final int IFF_LOWER_UP = 0x10000;

  public Link {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(kind, "kind");
  }

  /** Whether the device is administratively up ({@code IFF_UP}). */
  public boolean isUp() {
    return (flags & IFF_UP) != 0;
  }

  /** Whether the carrier is up ({@code IFF_LOWER_UP}). */
  public boolean isLowerUp() {
    return (flags & IFF_LOWER_UP) != 0;
  }
}
