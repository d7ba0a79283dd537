package io.jilium.it;

/**
 * What one reachability matrix probes: a protocol, a destination port (none for ICMP) and an
 * address family.
 */
record Traffic(Protocol protocol, int port, int family) {
  /** The protocols a probe can speak. */
  enum Protocol {
    TCP,
    UDP,
    /** An echo request (ICMP or ICMPv6 by family). */
    ICMP
  }

  Traffic {
    if (family != 4 && family != 6) {
      throw new IllegalArgumentException("family: " + family + " (expected: 4 or 6)");
    }
    if (protocol == Protocol.ICMP ? port != 0 : port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " for " + protocol);
    }
  }

  static Traffic tcp(int port) {
    return new Traffic(Protocol.TCP, port, 4);
  }

  static Traffic udp(int port) {
    return new Traffic(Protocol.UDP, port, 4);
  }

  static Traffic icmp() {
    return new Traffic(Protocol.ICMP, 0, 4);
  }

  /** The same traffic over IPv6. */
  Traffic ipv6() {
    return new Traffic(protocol, port, 6);
  }

  @Override
  public String toString() {
    return (protocol == Protocol.ICMP ? "ICMP echo" : protocol + "/" + port) + " IPv" + family;
  }
}
