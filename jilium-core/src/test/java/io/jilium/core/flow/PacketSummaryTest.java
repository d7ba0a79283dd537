package io.jilium.core.flow;

import static io.jilium.core.flow.Packets.ETH_IPV4;
import static io.jilium.core.flow.Packets.ETH_IPV6;
import static io.jilium.core.flow.Packets.ETH_VLAN;
import static io.jilium.core.flow.Packets.ethernet;
import static io.jilium.core.flow.Packets.parse;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PacketSummaryTest {
  private static final int SYN = 0x02;
  private static final int ACK = 0x10;
  private static final int FIN = 0x01;
  private static final int RST = 0x04;
  private static final int PSH = 0x08;

  @Test
  void ipv4TcpSyn() {
    PacketSummary s =
        parse(ethernet(ETH_IPV4).ipv4("10.0.0.1", "10.0.0.2", 6).tcp(1234, 80, SYN).build());

    assertThat(s).isEqualTo(new PacketSummary(4, "10.0.0.1", "10.0.0.2", 6, 1234, 80, SYN, 0, 0));
    assertThat(s.isKnown()).isTrue();
    assertThat(s.protocolName()).isEqualTo("TCP");
    assertThat(s.connectionSummary()).isEqualTo("10.0.0.1:1234 -> 10.0.0.2:80 tcp SYN");
  }

  @Test
  void tcpFlagsInCiliumsOrder() {
    PacketSummary s =
        parse(
            ethernet(ETH_IPV4)
                .ipv4("10.0.0.2", "10.0.0.1", 6)
                .tcp(80, 1234, FIN | SYN | RST | PSH | ACK)
                .build());

    assertThat(s.tcpFlagNames()).containsExactly("SYN", "ACK", "RST", "FIN", "PSH");
    assertThat(
            parse(
                    ethernet(ETH_IPV4)
                        .ipv4("10.0.0.2", "10.0.0.1", 6)
                        .tcp(80, 1234, SYN | ACK)
                        .build())
                .connectionSummary())
        .isEqualTo("10.0.0.2:80 -> 10.0.0.1:1234 tcp SYN, ACK");
  }

  @Test
  void ipv4WithOptions() {
    PacketSummary s =
        parse(ethernet(ETH_IPV4).ipv4("10.0.0.1", "10.0.0.2", 6, 0, 2).tcp(5555, 443, ACK).build());

    assertThat(s.sourcePort()).isEqualTo(5555);
    assertThat(s.destinationPort()).isEqualTo(443);
    assertThat(s.tcpFlags()).isEqualTo(ACK);
  }

  @Test
  void ipv6Udp() {
    PacketSummary s =
        parse(ethernet(ETH_IPV6).ipv6("fd00::1", "fd00::2", 17).udp(5353, 53).build());

    assertThat(s).isEqualTo(new PacketSummary(6, "fd00::1", "fd00::2", 17, 5353, 53, 0, 0, 0));
    assertThat(s.protocolName()).isEqualTo("UDP");
    assertThat(s.connectionSummary()).isEqualTo("[fd00::1]:5353 -> [fd00::2]:53 udp");
  }

  @Test
  void ipv6TcpIsBracketed() {
    PacketSummary s =
        parse(
            ethernet(ETH_IPV6).ipv6("fd00::1", "fd00:10::2", 6).tcp(80, 40000, SYN | ACK).build());

    assertThat(s.connectionSummary()).isEqualTo("[fd00::1]:80 -> [fd00:10::2]:40000 tcp SYN, ACK");
  }

  @Test
  void sctp() {
    PacketSummary s =
        parse(ethernet(ETH_IPV4).ipv4("10.0.0.1", "10.0.0.2", 132).udp(9, 10).build());

    assertThat(s.connectionSummary()).isEqualTo("10.0.0.1:9 -> 10.0.0.2:10 sctp");
  }

  @Test
  void icmpv4Echo() {
    PacketSummary s = parse(ethernet(ETH_IPV4).ipv4("10.0.0.1", "10.0.0.2", 1).icmp(8, 0).build());

    assertThat(s).isEqualTo(new PacketSummary(4, "10.0.0.1", "10.0.0.2", 1, 0, 0, 0, 8, 0));
    assertThat(s.protocolName()).isEqualTo("ICMPv4");
    assertThat(s.connectionSummary()).isEqualTo("10.0.0.1 -> 10.0.0.2 EchoRequest");
    assertThat(
            parse(ethernet(ETH_IPV4).ipv4("10.0.0.2", "10.0.0.1", 1).icmp(0, 0).build())
                .connectionSummary())
        .isEqualTo("10.0.0.2 -> 10.0.0.1 EchoReply");
  }

  @Test
  void icmpv6Echo() {
    PacketSummary s = parse(ethernet(ETH_IPV6).ipv6("fd00::1", "fd00::2", 58).icmp(128, 0).build());

    assertThat(s).isEqualTo(new PacketSummary(6, "fd00::1", "fd00::2", 58, 0, 0, 0, 128, 0));
    assertThat(s.protocolName()).isEqualTo("ICMPv6");
    assertThat(s.connectionSummary()).isEqualTo("fd00::1 -> fd00::2 EchoRequest");
    assertThat(
            parse(ethernet(ETH_IPV6).ipv6("fd00::2", "fd00::1", 58).icmp(129, 0).build())
                .connectionSummary())
        .isEqualTo("fd00::2 -> fd00::1 EchoReply");
  }

  @Test
  void ipv6HopByHopExtensionHeader() {
    byte[] b =
        ethernet(ETH_IPV6)
            .ipv6("fd00::1", "fd00::2", 0)
            .bytes(6, 0, 1, 4, 0, 0, 0, 0) // hop-by-hop: next TCP, 8 bytes, PadN
            .tcp(1234, 80, SYN)
            .build();

    assertThat(parse(b).connectionSummary()).isEqualTo("[fd00::1]:1234 -> [fd00::2]:80 tcp SYN");
  }

  @Test
  void ipv6LongerDestinationOptionsHeader() {
    byte[] b =
        ethernet(ETH_IPV6)
            .ipv6("fd00::1", "fd00::2", 60)
            .bytes(17, 1) // destination options: next UDP, (1 + 1) * 8 = 16 bytes
            .bytes(1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) // PadN over the rest
            .udp(1000, 2000)
            .build();

    assertThat(parse(b).connectionSummary()).isEqualTo("[fd00::1]:1000 -> [fd00::2]:2000 udp");
  }

  @Test
  void ipv6AuthenticationHeaderCountsFourByteUnits() {
    // RFC 4302: AH length is in 4-octet units minus 2; 4 means 24 bytes (12 + a 12-byte ICV)
    byte[] b =
        ethernet(ETH_IPV6)
            .ipv6("fd00::1", "fd00::2", 51)
            .bytes(6, 4, 0, 0)
            .u32(0x100) // SPI
            .u32(1) // sequence
            .bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) // ICV
            .tcp(4321, 22, SYN)
            .build();

    assertThat(parse(b).connectionSummary()).isEqualTo("[fd00::1]:4321 -> [fd00::2]:22 tcp SYN");
  }

  @Test
  void ipv6Fragments() {
    byte[] first =
        ethernet(ETH_IPV6)
            .ipv6("fd00::1", "fd00::2", 44)
            .bytes(17, 0)
            .u16(0x0001)
            .u32(77) // fragment header: offset 0, more fragments
            .udp(1000, 53)
            .build();
    byte[] later =
        ethernet(ETH_IPV6)
            .ipv6("fd00::1", "fd00::2", 44)
            .bytes(17, 0)
            .u16(185 << 3)
            .u32(77) // offset 185 * 8
            .bytes(0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0) // payload, not a UDP header
            .build();

    assertThat(parse(first).destinationPort()).isEqualTo(53);
    PacketSummary s = parse(later);
    assertThat(s.protocol()).isEqualTo(17);
    assertThat(s.sourcePort()).isZero();
    assertThat(s.destinationPort()).isZero();
  }

  @Test
  void ipv4LaterFragmentHasNoPorts() {
    PacketSummary s =
        parse(ethernet(ETH_IPV4).ipv4("10.0.0.1", "10.0.0.2", 17, 100, 0).udp(1, 2).build());

    assertThat(s).isEqualTo(new PacketSummary(4, "10.0.0.1", "10.0.0.2", 17, 0, 0, 0, 0, 0));
  }

  @Test
  void vlanTag() {
    byte[] b =
        ethernet(ETH_VLAN)
            .vlan(100, ETH_IPV4)
            .ipv4("192.168.1.1", "192.168.1.2", 6)
            .tcp(40000, 8080, SYN)
            .build();

    assertThat(parse(b).connectionSummary())
        .isEqualTo("192.168.1.1:40000 -> 192.168.1.2:8080 tcp SYN");
  }

  @Test
  void ipOnly() {
    PacketSummary s = parse(ethernet(ETH_IPV4).ipv4("10.0.0.1", "10.0.0.2", 47).build());

    assertThat(s.connectionSummary()).isEqualTo("10.0.0.1 -> 10.0.0.2");
    assertThat(s.protocolName()).isEqualTo("proto 47");
  }

  @Test
  void notIp() {
    byte[] arp = ethernet(0x0806).raw(new byte[28]).build();

    assertThat(parse(arp).isKnown()).isFalse();
    assertThat(parse(arp).connectionSummary()).isEqualTo("[unknown]");
    assertThat(parse(arp).protocolName()).isEmpty();
  }

  @Test
  void truncatedL4KeepsTheAddresses() {
    byte[] full = ethernet(ETH_IPV4).ipv4("10.0.0.1", "10.0.0.2", 6).tcp(1234, 80, SYN).build();
    byte[] cut = Arrays.copyOf(full, 14 + 20 + 10); // the TCP flags are at offset 13

    PacketSummary s = parse(cut);

    assertThat(s.source()).isEqualTo("10.0.0.1");
    assertThat(s.destination()).isEqualTo("10.0.0.2");
    assertThat(s.protocol()).isEqualTo(6);
    assertThat(s.sourcePort()).isZero();
    assertThat(s.tcpFlags()).isZero();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 13, 14, 20, 33})
  void truncatedHeadersAreUnknown(int length) {
    byte[] full = ethernet(ETH_IPV4).ipv4("10.0.0.1", "10.0.0.2", 6).tcp(1234, 80, SYN).build();

    assertThat(PacketSummary.parse(full, 0, length).isKnown()).isFalse();
  }

  @Test
  void truncatedIpv6HeaderIsUnknown() {
    byte[] full = ethernet(ETH_IPV6).ipv6("fd00::1", "fd00::2", 17).udp(1, 2).build();

    assertThat(PacketSummary.parse(full, 0, 14 + 39).isKnown()).isFalse();
    assertThat(PacketSummary.parse(full, 0, 14 + 40).isKnown()).isTrue();
    assertThat(PacketSummary.parse(full, 0, 14 + 40).sourcePort()).isZero();
  }

  @Test
  void parsesAtAnOffset() {
    byte[] pkt = ethernet(ETH_IPV4).ipv4("10.0.0.1", "10.0.0.2", 17).udp(7, 8).build();
    byte[] record = new byte[48 + pkt.length + 10];
    Arrays.fill(record, (byte) 0x5a);
    System.arraycopy(pkt, 0, record, 48, pkt.length);

    assertThat(PacketSummary.parse(record, 48, pkt.length).connectionSummary())
        .isEqualTo("10.0.0.1:7 -> 10.0.0.2:8 udp");
  }
}
