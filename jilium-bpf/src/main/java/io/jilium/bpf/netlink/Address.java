package io.jilium.bpf.netlink;

import java.net.InetAddress;
import java.util.Objects;

/**
 * An address assigned to a device ({@code struct ifaddrmsg} plus {@code IFA_*} attributes).
 *
 * @param ifindex the device
 * @param address the local address ({@code IFA_LOCAL} for IPv4, {@code IFA_ADDRESS} for IPv6)
 * @param prefixLength {@code ifa_prefixlen}
 * @param scope {@code ifa_scope}
 * @param flags {@code IFA_FLAGS} (or {@code ifa_flags}): {@link #IFA_F_NODAD}, {@link
 *     #IFA_F_PERMANENT}, {@code IFA_F_TENTATIVE} (0x40), ...
 */
public record Address(int ifindex, InetAddress address, int prefixLength, Scope scope, int flags) {
  /** {@code IFA_F_NODAD}: no duplicate address detection (IPv6); usable at once. */
  public static final int IFA_F_NODAD = 0x02;

  /** {@code IFA_F_TENTATIVE}: IPv6 duplicate address detection still running. */
  public static final int IFA_F_TENTATIVE = 0x40;

  /** {@code IFA_F_PERMANENT}: configured, not autoconfigured. */
  public static final int IFA_F_PERMANENT = 0x80;

  public Address {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(scope, "scope");
  }

  /** {@code Address[3 10.0.0.1/32 UNIVERSE flags=0x80]}. */
  @Override
  public String toString() {
    return "Address["
        + ifindex
        + " "
        + address.getHostAddress()
        + "/"
        + prefixLength
        + " "
        + scope
        + " flags=0x"
        + Integer.toHexString(flags)
        + "]";
  }
}
