package io.jilium.core.flow;

import io.jilium.core.net.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the first bytes of a packet (from its Ethernet header) say: addresses, protocol, ports, TCP
 * flags or ICMP type. Fields not present are zero or empty.
 */
public record PacketSummary(
    int ipVersion,
    String source,
    String destination,
    int protocol,
    int sourcePort,
    int destinationPort,
    int tcpFlags,
    int icmpType,
    int icmpCode) {
  public static final int TCP_FIN = 0x01;
  public static final int TCP_SYN = 0x02;
  public static final int TCP_RST = 0x04;
  public static final int TCP_PSH = 0x08;
  public static final int TCP_ACK = 0x10;
  public static final int TCP_URG = 0x20;
  public static final int TCP_ECE = 0x40;
  public static final int TCP_CWR = 0x80;

  private static final PacketSummary UNKNOWN = new PacketSummary(0, "", "", 0, 0, 0, 0, 0, 0);

  /** Parses {@code len} bytes of {@code b} from {@code off}; truncated packets yield what fits. */
  public static PacketSummary parse(byte[] b, int off, int len) {
    return parse(b, off, len, true);
  }

  /**
   * Like {@link #parse(byte[], int, int)} without the addresses (source and destination are empty):
   * protocol, ports, flags and ICMP type for counting, without formatting text.
   */
  public static PacketSummary parseHeaders(byte[] b, int off, int len) {
    return parse(b, off, len, false);
  }

  private static PacketSummary parse(byte[] b, int off, int len, boolean addresses) {
    int end = off + len;
    if (len < 14) {
      return UNKNOWN;
    }
    int ethType = u16(b, off + 12);
    int p = off + 14;
    while ((ethType == 0x8100 || ethType == 0x88a8) && p + 4 <= end) {
      ethType = u16(b, p + 2);
      p += 4;
    }
    int proto;
    String src;
    String dst;
    int version;
    if (ethType == 0x0800) {
      if (p + 20 > end) {
        return UNKNOWN;
      }
      version = 4;
      int ihl = (b[p] & 0x0f) * 4;
      proto = b[p + 9] & 0xff;
      src = addresses ? IpAddress.format(slice(b, p + 12, 4)) : "";
      dst = addresses ? IpAddress.format(slice(b, p + 16, 4)) : "";
      int fragOff = u16(b, p + 6) & 0x1fff;
      p += ihl;
      if (fragOff != 0) {
        return new PacketSummary(version, src, dst, proto, 0, 0, 0, 0, 0);
      }
    } else if (ethType == 0x86dd) {
      if (p + 40 > end) {
        return UNKNOWN;
      }
      version = 6;
      proto = b[p + 6] & 0xff;
      src = addresses ? IpAddress.format(slice(b, p + 8, 16)) : "";
      dst = addresses ? IpAddress.format(slice(b, p + 24, 16)) : "";
      p += 40;
      for (int i = 0; i < 8 && isExtension(proto) && p + 8 <= end; i++) {
        int next = b[p] & 0xff;
        if (proto == 44 && (u16(b, p + 2) & 0xfff8) != 0) {
          // a later fragment: what follows is payload, not the L4 header
          return new PacketSummary(version, src, dst, next, 0, 0, 0, 0, 0);
        }
        int hdrLen =
            switch (proto) {
              case 44 -> 8;
              case 51 -> ((b[p + 1] & 0xff) + 2) * 4; // AH counts 4-byte units (RFC 4302)
              default -> ((b[p + 1] & 0xff) + 1) * 8;
            };
        proto = next;
        p += hdrLen;
      }
    } else {
      return UNKNOWN;
    }
    int sport = 0;
    int dport = 0;
    int flags = 0;
    int icmpType = 0;
    int icmpCode = 0;
    switch (proto) {
      case 6 -> {
        if (p + 14 <= end) {
          sport = u16(b, p);
          dport = u16(b, p + 2);
          flags = b[p + 13] & 0xff;
        }
      }
      case 17, 132 -> {
        if (p + 4 <= end) {
          sport = u16(b, p);
          dport = u16(b, p + 2);
        }
      }
      case 1, 58 -> {
        if (p + 2 <= end) {
          icmpType = b[p] & 0xff;
          icmpCode = b[p + 1] & 0xff;
        }
      }
      default -> {}
    }
    return new PacketSummary(version, src, dst, proto, sport, dport, flags, icmpType, icmpCode);
  }

  private static boolean isExtension(int nh) {
    return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
  }

  public boolean isKnown() {
    return ipVersion != 0;
  }

  /** TCP flags as Cilium lists them: SYN, ACK, RST, FIN (and PSH, URG, ECE, CWR). */
  public List<String> tcpFlagNames() {
    List<String> out = new ArrayList<>();
    if ((tcpFlags & TCP_SYN) != 0) {
      out.add("SYN");
    }
    if ((tcpFlags & TCP_ACK) != 0) {
      out.add("ACK");
    }
    if ((tcpFlags & TCP_RST) != 0) {
      out.add("RST");
    }
    if ((tcpFlags & TCP_FIN) != 0) {
      out.add("FIN");
    }
    if ((tcpFlags & TCP_PSH) != 0) {
      out.add("PSH");
    }
    if ((tcpFlags & TCP_URG) != 0) {
      out.add("URG");
    }
    if ((tcpFlags & TCP_ECE) != 0) {
      out.add("ECE");
    }
    if ((tcpFlags & TCP_CWR) != 0) {
      out.add("CWR");
    }
    return out;
  }

  public String protocolName() {
    return switch (protocol) {
      case 6 -> "TCP";
      case 17 -> "UDP";
      case 1 -> "ICMPv4";
      case 58 -> "ICMPv6";
      case 132 -> "SCTP";
      default -> ipVersion == 0 ? "" : "proto " + protocol;
    };
  }

  /** Cilium's connection summary: {@code 10.0.0.1:80 -> 10.0.0.2:1234 tcp SYN}. */
  public String connectionSummary() {
    if (!isKnown()) {
      return "[unknown]";
    }
    return switch (protocol) {
      case 6 ->
          hostPort(source, sourcePort)
              + " -> "
              + hostPort(destination, destinationPort)
              + " tcp "
              + String.join(", ", tcpFlagNames());
      case 17 ->
          hostPort(source, sourcePort) + " -> " + hostPort(destination, destinationPort) + " udp";
      case 132 ->
          hostPort(source, sourcePort) + " -> " + hostPort(destination, destinationPort) + " sctp";
      case 1 -> source + " -> " + destination + " " + icmpName(false);
      case 58 -> source + " -> " + destination + " " + icmpName(true);
      default -> source + " -> " + destination;
    };
  }

  /** Names like Cilium's: EchoRequest, EchoReply, DestinationUnreachable(Port)... */
  public String icmpName(boolean v6) {
    String name =
        v6
            ? switch (icmpType) {
              case 1 -> "DestinationUnreachable";
              case 2 -> "PacketTooBig";
              case 3 -> "TimeExceeded";
              case 4 -> "ParameterProblem";
              case 128 -> "EchoRequest";
              case 129 -> "EchoReply";
              case 133 -> "RouterSolicitation";
              case 134 -> "RouterAdvertisement";
              case 135 -> "NeighborSolicitation";
              case 136 -> "NeighborAdvertisement";
              case 137 -> "Redirect";
              default -> "Type(" + icmpType + ")";
            }
            : switch (icmpType) {
              case 0 -> "EchoReply";
              case 3 -> "DestinationUnreachable";
              case 5 -> "Redirect";
              case 8 -> "EchoRequest";
              case 11 -> "TimeExceeded";
              case 12 -> "ParameterProblem";
              default -> "Type(" + icmpType + ")";
            };
    return icmpCode == 0 ? name : name + "(" + icmpCode + ")";
  }

  private static String hostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  private static byte[] slice(byte[] b, int from, int len) {
    byte[] out = new byte[len];
    System.arraycopy(b, from, out, 0, len);
    return out;
  }
}
