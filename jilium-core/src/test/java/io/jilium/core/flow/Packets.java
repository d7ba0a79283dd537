package io.jilium.core.flow;

import io.jilium.core.net.IpAddress;
import java.io.ByteArrayOutputStream;

/** Hand-built packets from the Ethernet header on, in network byte order. */
final class Packets {
  static final int ETH_IPV4 = 0x0800;
  static final int ETH_IPV6 = 0x86dd;
  static final int ETH_VLAN = 0x8100;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static Packets ethernet(int etherType) {
    Packets p = new Packets();
    p.bytes(0x02, 0, 0, 0, 0, 2); // destination MAC
    p.bytes(0x02, 0, 0, 0, 0, 1); // source MAC
    p.u16(etherType);
    return p;
  }

  Packets bytes(int... bs) {
    for (int b : bs) {
      out.write(b);
    }
    return this;
  }

  Packets u16(int v) {
    return bytes(v >> 8, v & 0xff);
  }

  Packets u32(long v) {
    return u16((int) (v >> 16) & 0xffff).u16((int) v & 0xffff);
  }

  Packets raw(byte[] b) {
    out.writeBytes(b);
    return this;
  }

  Packets vlan(int vid, int innerType) {
    return u16(vid).u16(innerType);
  }

  /** A 20-byte IPv4 header (or longer with {@code optionWords} 4-byte option words). */
  Packets ipv4(String src, String dst, int protocol, int fragmentOffset, int optionWords) {
    bytes(0x40 | (5 + optionWords), 0);
    u16(20 + optionWords * 4 + 20); // total length, not checked by the parser
    u16(0x1234); // id
    u16(fragmentOffset & 0x1fff);
    bytes(64, protocol);
    u16(0); // checksum
    raw(IpAddress.parse(src));
    raw(IpAddress.parse(dst));
    for (int i = 0; i < optionWords; i++) {
      bytes(1, 1, 1, 1); // NOP options
    }
    return this;
  }

  Packets ipv4(String src, String dst, int protocol) {
    return ipv4(src, dst, protocol, 0, 0);
  }

  Packets ipv6(String src, String dst, int nextHeader) {
    bytes(0x60, 0, 0, 0);
    u16(40);
    bytes(nextHeader, 64);
    raw(IpAddress.parse(src));
    raw(IpAddress.parse(dst));
    return this;
  }

  Packets tcp(int sport, int dport, int flags) {
    u16(sport).u16(dport);
    u32(1000).u32(0);
    bytes(0x50, flags);
    u16(65535).u16(0).u16(0);
    return this;
  }

  Packets udp(int sport, int dport) {
    return u16(sport).u16(dport).u16(8).u16(0);
  }

  Packets icmp(int type, int code) {
    return bytes(type, code).u16(0).u16(1).u16(1);
  }

  byte[] build() {
    return out.toByteArray();
  }

  static PacketSummary parse(byte[] b) {
    return PacketSummary.parse(b, 0, b.length);
  }
}
