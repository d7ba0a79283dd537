package io.jilium.core.policy;

import java.util.List;
import java.util.Optional;

/** L4 protocols policy can name, with their IP protocol numbers (ANY = 0). */
public enum Protocol {
  ANY(0),
  ICMP(1),
  TCP(6),
  UDP(17),
  ICMPV6(58),
  SCTP(132);

  private final int number;

  Protocol(int number) {
    this.number = number;
  }

  public int number() {
    return number;
  }

  /** The protocols a port rule with this protocol covers: ANY means TCP, UDP and SCTP. */
  public List<Protocol> expand() {
    return this == ANY ? List.of(TCP, UDP, SCTP) : List.of(this);
  }

  public static Optional<Protocol> byNumber(int n) {
    for (Protocol p : values()) {
      if (p.number == n) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The protocol for a name as written in policies (TCP, UDP, SCTP, ANY), case-sensitive. */
  public static Optional<Protocol> byPolicyName(String name) {
    return switch (name) {
      case "TCP" -> Optional.of(TCP);
      case "UDP" -> Optional.of(UDP);
      case "SCTP" -> Optional.of(SCTP);
      case "ANY" -> Optional.of(ANY);
      default -> Optional.empty();
    };
  }

  /** Name for display: ANY, TCP, UDP, ICMP, ICMPv6, SCTP, or the number. */
  public static String display(int number) {
    return switch (number) {
      case 0 -> "ANY";
      case 1 -> "ICMP";
      case 6 -> "TCP";
      case 17 -> "UDP";
      case 58 -> "ICMPv6";
      case 132 -> "SCTP";
      default -> Integer.toString(number);
    };
  }
}
