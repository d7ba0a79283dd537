package io.jilium.core.policy;

/** An ICMP type a rule allows ({@code icmps[].fields[]}): IPv4 (ICMP) or IPv6 (ICMPv6). */
public record IcmpField(boolean ipv6, int type) {
  public IcmpField {
    if (type < 0 || type > 255) {
      throw new IllegalArgumentException("ICMP type " + type + " (expected: 0-255)");
    }
  }

  public int protocol() {
    return ipv6 ? Protocol.ICMPV6.number() : Protocol.ICMP.number();
  }
}
