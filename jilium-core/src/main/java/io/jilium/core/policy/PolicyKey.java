package io.jilium.core.policy;

import java.util.Comparator;

/**
 * The key of a datapath policy entry, as the control plane sees it: remote identity (0 = any),
 * direction, protocol (0 = any) and destination port with a prefix length over protocol and port
 * together, as Cilium counts it: 0 = any protocol and port, 8 = the protocol with any port, 24 =
 * one exact port, 8 + n = the ports sharing the top n bits of {@code port}. For ICMP the "port" is
 * the ICMP type in the high byte.
 */
public record PolicyKey(int identity, Direction direction, int protocol, int port, int prefixLength)
    implements Comparable<PolicyKey> {
  public static final int ANY_PREFIX = 0;
  public static final int PROTO_PREFIX = 8;
  public static final int FULL_PREFIX = 24;

  private static final Comparator<PolicyKey> ORDER =
      Comparator.comparing(PolicyKey::direction)
          .thenComparingInt(PolicyKey::identity)
          .thenComparingInt(PolicyKey::protocol)
          .thenComparingInt(PolicyKey::port)
          .thenComparingInt(PolicyKey::prefixLength);

  public PolicyKey {
    if (prefixLength < 0 || prefixLength > FULL_PREFIX) {
      throw new IllegalArgumentException("prefix length " + prefixLength + " (expected: 0-24)");
    }
    if (prefixLength == 0 && (protocol != 0 || port != 0)) {
      throw new IllegalArgumentException("an any-protocol key has no protocol or port");
    }
    if (prefixLength <= PROTO_PREFIX && port != 0) {
      throw new IllegalArgumentException("an any-port key has port 0");
    }
    if (prefixLength > PROTO_PREFIX) {
      int portBits = prefixLength - PROTO_PREFIX;
      int mask = portBits == 16 ? 0xffff : (0xffff << (16 - portBits)) & 0xffff;
      if ((port & ~mask) != 0) {
        throw new IllegalArgumentException(
            "port " + port + " has bits beyond its " + portBits + "-bit prefix");
      }
    }
  }

  public static PolicyKey any(int identity, Direction d) {
    return new PolicyKey(identity, d, 0, 0, ANY_PREFIX);
  }

  public static PolicyKey protocol(int identity, Direction d, int protocol) {
    return new PolicyKey(identity, d, protocol, 0, PROTO_PREFIX);
  }

  public static PolicyKey port(int identity, Direction d, int protocol, int port) {
    return new PolicyKey(identity, d, protocol, port, FULL_PREFIX);
  }

  /** An ICMP or ICMPv6 type, any code: the type is the high byte of the port field. */
  public static PolicyKey icmp(int identity, Direction d, int protocol, int type) {
    return new PolicyKey(identity, d, protocol, type << 8, PROTO_PREFIX + 8);
  }

  /** Lowest and highest port covered. */
  public int portLow() {
    return prefixLength <= PROTO_PREFIX ? 0 : port;
  }

  public int portHigh() {
    if (prefixLength <= PROTO_PREFIX) {
      return 65535;
    }
    int portBits = prefixLength - PROTO_PREFIX;
    return port | ((1 << (16 - portBits)) - 1);
  }

  /**
   * True when this key matches every packet {@code other} matches (same identity and direction).
   */
  public boolean covers(PolicyKey other) {
    if (identity != other.identity || direction != other.direction) {
      return false;
    }
    if (prefixLength == ANY_PREFIX) {
      return true;
    }
    if (protocol != other.protocol || other.prefixLength < prefixLength) {
      return false;
    }
    return other.portLow() >= portLow() && other.portHigh() <= portHigh();
  }

  /** Like {@code bpf policy get} prints it: {@code Ingress identity=257 80/TCP}. */
  public String display() {
    String id = identity == 0 ? "ANY" : Integer.toString(identity);
    String pp;
    if (prefixLength == ANY_PREFIX) {
      pp = "ANY";
    } else if (prefixLength == PROTO_PREFIX) {
      pp = "ANY/" + Protocol.display(protocol);
    } else if (protocol == Protocol.ICMP.number() || protocol == Protocol.ICMPV6.number()) {
      pp = "type " + (port >> 8) + "/" + Protocol.display(protocol);
    } else if (prefixLength == FULL_PREFIX) {
      pp = port + "/" + Protocol.display(protocol);
    } else {
      pp = portLow() + "-" + portHigh() + "/" + Protocol.display(protocol);
    }
    return direction.display() + " identity=" + id + " " + pp;
  }

  @Override
  public int compareTo(PolicyKey o) {
    return ORDER.compare(this, o);
  }

  /** Port ranges as the fewest prefix keys (the datapath matches prefixes, not ranges). */
  public static java.util.List<PolicyKey> range(
      int identity, Direction d, int protocol, int from, int to) {
    java.util.List<PolicyKey> out = new java.util.ArrayList<>();
    long start = from;
    while (start <= to) {
      int hostBits = Long.numberOfTrailingZeros(start == 0 ? 1 << 16 : start);
      hostBits = Math.min(hostBits, 16);
      while (hostBits > 0 && start + (1L << hostBits) - 1 > to) {
        hostBits--;
      }
      int prefix = PROTO_PREFIX + 16 - hostBits;
      if (prefix == PROTO_PREFIX) {
        out.add(protocol(identity, d, protocol));
      } else {
        out.add(new PolicyKey(identity, d, protocol, (int) start, prefix));
      }
      start += 1L << hostBits;
    }
    return out;
  }
}
