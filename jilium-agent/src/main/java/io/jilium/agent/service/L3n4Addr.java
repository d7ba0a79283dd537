package io.jilium.agent.service;

import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.IpFamily;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * An address, port and L4 protocol, as Cilium's {@code L3n4Addr}: a frontend (the address is the
 * unspecified address for a NodePort's wildcard entry) or a backend. The address is canonical text.
 */
public record L3n4Addr(String address, int port, Protocol protocol)
    implements Comparable<L3n4Addr> {
  private static final Comparator<L3n4Addr> ORDER =
      Comparator.comparing(L3n4Addr::family)
          .thenComparing((a, b) -> Arrays.compareUnsigned(a.bytes(), b.bytes()))
          .thenComparingInt(L3n4Addr::port)
          .thenComparing(L3n4Addr::protocol);

  public L3n4Addr {
    Objects.requireNonNull(protocol, "protocol");
    address = IpAddress.format(IpAddress.parse(address));
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " (expected: 0-65535)");
    }
  }

  /** The wildcard frontend of a node port: any local address of the family. */
  public static L3n4Addr anyAddress(IpFamily family, int port, Protocol protocol) {
    return new L3n4Addr(family == IpFamily.IPV4 ? "0.0.0.0" : "::", port, protocol);
  }

  /** Parses {@link #toString()}'s form: {@code 10.0.0.1:80/TCP} or {@code [fd00::1]:80/UDP}. */
  public static L3n4Addr parse(String s) {
    int slash = s.lastIndexOf('/');
    int colon = s.lastIndexOf(':', slash);
    if (slash < 0 || colon < 0) {
      throw new IllegalArgumentException(
          "\"" + s + "\" (expected: address:port/protocol, e.g. 10.0.0.1:80/TCP)");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    Protocol p =
        Protocol.byPolicyName(s.substring(slash + 1))
            .orElseThrow(
                () -> new IllegalArgumentException("\"" + s + "\": protocol (expected: TCP, UDP)"));
    return new L3n4Addr(host, Integer.parseInt(s.substring(colon + 1, slash)), p);
  }

  public IpFamily family() {
    return address.indexOf(':') >= 0 ? IpFamily.IPV6 : IpFamily.IPV4;
  }

  /** 4 or 16 bytes. */
  public byte[] bytes() {
    return IpAddress.parse(address);
  }

  public boolean isAnyAddress() {
    return address.equals("0.0.0.0") || address.equals("::");
  }

  @Override
  public int compareTo(L3n4Addr o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return (family() == IpFamily.IPV6 ? "[" + address + "]" : address)
        + ":"
        + port
        + "/"
        + protocol;
  }
}
