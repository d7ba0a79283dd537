package io.jilium.bpf.netlink;

import static io.jilium.bpf.netlink.Rtnl.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.bpf.sys.ErrnoException;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Netlink messages byte by byte: what we send, and how we read what the kernel sends. */
class NetlinkCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void stringAttributeIsNulTerminatedAndPaddedToFourBytes() {
    byte[] msg = RtnlCodec.getLink("lo").finish(7);

    // nlmsghdr(16) + ifinfomsg(16) + rtattr(4 + "lo\0" = 7, padded to 8)
    assertThat(msg).hasSize(40);
    ByteBuffer b = le(msg);
    assertThat(b.getInt(0)).isEqualTo(40); // nlmsg_len
    assertThat(b.getShort(4)).isEqualTo((short) RTM_GETLINK);
    assertThat(b.getShort(6)).isEqualTo((short) (NLM_F_REQUEST | NLM_F_ACK));
    assertThat(b.getInt(8)).isEqualTo(7); // seq
    assertThat(b.getInt(12)).isZero(); // pid: the kernel
    assertThat(HEX.formatHex(msg, 32, 40)).isEqualTo("0700" + "0300" + "6c6f00" + "00");
  }

  @Test
  void setLinkIsHeaderIfinfomsgAndMtuByteForByte() {
    byte[] msg = RtnlCodec.setLink(5, IFF_UP, IFF_UP, 1400, null).finish(1);

    assertThat(HEX.formatHex(msg))
        .isEqualTo(
            "28000000"
                + "1000"
                + "0500"
                + "01000000"
                + "00000000" // nlmsghdr: 40, NEWLINK, REQ|ACK
                + "00"
                + "00"
                + "0000"
                + "05000000"
                + "01000000"
                + "01000000" // ifinfomsg
                + "0800"
                + "0400"
                + "78050000"); // IFLA_MTU 1400
  }

  @Test
  void vethRequestNestsThePeerWithItsOwnIfinfomsg() {
    MacAddress hostMac = MacAddress.parse("02:00:00:00:00:01");
    MacAddress peerMac = MacAddress.parse("02:00:00:00:00:02");
    byte[] msg = RtnlCodec.newVeth("lxc1", "eth0", 9, 1450, hostMac, peerMac).finish(3);

    NetlinkMessage m = single(msg);
    assertThat(m.flags()).isEqualTo(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    Attributes top = m.attributes(IFINFOMSG_LEN);
    assertThat(top.string(IFLA_IFNAME)).contains("lxc1");
    assertThat(top.u32(IFLA_MTU, 0)).isEqualTo(1450);
    assertThat(top.bytes(IFLA_ADDRESS))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(hostMac.bytes()));

    ByteBuffer linkInfo = top.get(IFLA_LINKINFO).orElseThrow();
    Attributes info = Attributes.parse(linkInfo);
    assertThat(info.string(IFLA_INFO_KIND)).contains("veth");
    Attributes data = info.nested(IFLA_INFO_DATA).orElseThrow();
    ByteBuffer peer = data.get(VETH_INFO_PEER).orElseThrow();
    // struct ifinfomsg first, all zero, then the peer's attributes
    byte[] peerHeader = new byte[IFINFOMSG_LEN];
    peer.get(0, peerHeader);
    assertThat(peerHeader).containsOnly(0);
    Attributes peerAttrs =
        Attributes.parse(peer.slice(IFINFOMSG_LEN, peer.limit() - IFINFOMSG_LEN));
    assertThat(peerAttrs.string(IFLA_IFNAME)).contains("eth0");
    assertThat(peerAttrs.u32(IFLA_MTU, 0)).isEqualTo(1450);
    assertThat(peerAttrs.u32(IFLA_NET_NS_FD, -1)).isEqualTo(9);
    assertThat(peerAttrs.bytes(IFLA_ADDRESS))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(peerMac.bytes()));

    // Nested lengths add up: IFLA_LINKINFO is the last attribute and ends the message.
    int linkInfoAt = msg.length - (linkInfo.limit() + NLA_HDRLEN);
    assertThat(le(msg).getShort(linkInfoAt + 2)).isEqualTo((short) IFLA_LINKINFO);
    assertThat(le(msg).getShort(linkInfoAt)).isEqualTo((short) (msg.length - linkInfoAt));
    // kind "veth\0" is 9 bytes, padded to 12: INFO_DATA starts 4 + 12 bytes into LINKINFO
    assertThat(le(msg).getShort(linkInfoAt + 4)).isEqualTo((short) 9);
    assertThat(le(msg).getShort(linkInfoAt + 4 + 12 + 2)).isEqualTo((short) IFLA_INFO_DATA);
  }

  @Test
  void defaultRouteViaOnlinkGateway() throws Exception {
    Route r = Route.via(IpPrefix.defaultV4(), InetAddress.getByName("169.254.1.1"), 7).withOnLink();
    byte[] msg = RtnlCodec.route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r).finish(1);

    assertThat(HEX.formatHex(msg, 16, 28))
        .as("rtmsg: inet, /0, src 0, tos 0, main, proto 40, universe, unicast, onlink")
        .isEqualTo("02" + "00" + "00" + "00" + "fe" + "28" + "00" + "01" + "04000000");
    Attributes a = single(msg).attributes(RTMSG_LEN);
    assertThat(a.has(RTA_DST)).as("no RTA_DST for a /0").isFalse();
    assertThat(a.bytes(RTA_GATEWAY))
        .hasValueSatisfying(g -> assertThat(HEX.formatHex(g)).isEqualTo("a9fe0101"));
    assertThat(a.u32(RTA_OIF, 0)).isEqualTo(7);
    assertThat(a.u32(RTA_TABLE, 0)).isEqualTo(254);
    assertThat(a.has(RTA_PRIORITY)).isFalse();
  }

  @Test
  void deletingARouteUsesTheWildcardScope() throws Exception {
    Route r = Route.link(IpPrefix.parse("10.1.2.3/32"), 4);
    byte[] msg = RtnlCodec.route(RTM_DELROUTE, 0, r).finish(1);
    assertThat(msg[16 + 6] & 0xFF).isEqualTo(Scope.NOWHERE.value());
    assertThat(single(msg).attributes(RTMSG_LEN).bytes(RTA_DST))
        .hasValueSatisfying(d -> assertThat(d).isEqualTo(new byte[] {10, 1, 2, 3}));
  }

  @Test
  void ipv6AddressWithNodadCarriesIfaFlags() throws Exception {
    InetAddress ip = InetAddress.getByName("fd00::2");
    byte[] msg = RtnlCodec.newAddress(3, ip, 128, Address.IFA_F_NODAD, 0).finish(1);
    assertThat(HEX.formatHex(msg, 16, 24)).isEqualTo("0a" + "80" + "02" + "00" + "03000000");
    Attributes a = single(msg).attributes(IFADDRMSG_LEN);
    assertThat(a.has(IFA_LOCAL)).isFalse();
    assertThat(a.bytes(IFA_ADDRESS))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(ip.getAddress()));
    assertThat(a.u32(IFA_FLAGS, 0)).isEqualTo(Address.IFA_F_NODAD);

    byte[] v4 = RtnlCodec.newAddress(3, InetAddress.getByName("10.0.0.1"), 32, 0, 0).finish(1);
    Attributes a4 = single(v4).attributes(IFADDRMSG_LEN);
    assertThat(a4.bytes(IFA_LOCAL))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(new byte[] {10, 0, 0, 1}));
    assertThat(a4.bytes(IFA_ADDRESS))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(new byte[] {10, 0, 0, 1}));
    assertThat(a4.has(IFA_FLAGS)).isFalse();
  }

  @Test
  void parsesALinkDumpUntilDone() {
    // Two RTM_NEWLINK (multipart) and NLMSG_DONE in one datagram, as the kernel sends a dump,
    // written here field by field without the encoder.
    byte[] datagram =
        concat(
            newLinkMessage(42, 1, "lo", new byte[6], 65536, 0x49, null, 0),
            newLinkMessage(
                42, 7, "lxcab12", HEX.parseHex("0a1b2c3d4e5f"), 1450, 0x11043, "veth", 3),
            message(NLMSG_DONE, NLM_F_MULTI, 42, new byte[4]));

    Replies replies = new Replies(42, "RTM_GETLINK(dump links)", true);
    replies.accept(NetlinkMessage.parseAll(ByteBuffer.wrap(datagram)));

    assertThat(replies.complete()).isTrue();
    List<Link> links = replies.messages().stream().map(RtnlCodec::decodeLink).toList();
    assertThat(links)
        .containsExactly(
            new Link(1, "lo", Optional.of(new MacAddress(0)), 65536, 0x49, Optional.empty(), 0),
            new Link(
                7,
                "lxcab12",
                Optional.of(MacAddress.parse("0a:1b:2c:3d:4e:5f")),
                1450,
                0x11043,
                Optional.of("veth"),
                3));
    assertThat(links.get(1).isUp()).isTrue();
    assertThat(links.get(1).isLowerUp()).isTrue();
    assertThat(links.get(0).isLowerUp()).isFalse();
  }

  @Test
  void dumpSpreadOverDatagramsIsNotCompleteBeforeDone() {
    Replies replies = new Replies(5, "dump", true);
    replies.accept(
        NetlinkMessage.parseAll(
            ByteBuffer.wrap(newLinkMessage(5, 1, "lo", null, 65536, 0x49, null, 0))));
    assertThat(replies.complete()).isFalse();
    replies.accept(
        NetlinkMessage.parseAll(ByteBuffer.wrap(message(NLMSG_DONE, NLM_F_MULTI, 5, new byte[4]))));
    assertThat(replies.complete()).isTrue();
    assertThat(replies.messages()).hasSize(1);
  }

  @Test
  void errorWithExtendedAckBecomesErrnoExceptionWithTheKernelsText() {
    byte[] request = RtnlCodec.getLink("x").finish(9);
    byte[] text = "Invalid prefix for given prefix length\0".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer payload =
        ByteBuffer.allocate(4 + 16 + Rtnl.align(4 + text.length)).order(ByteOrder.nativeOrder());
    payload.putInt(-22); // -EINVAL
    payload.put(request, 0, 16); // the capped request header
    payload.putShort((short) (4 + text.length)).putShort((short) NLMSGERR_ATTR_MSG).put(text);
    byte[] error = message(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 9, payload.array());

    Replies replies = new Replies(9, "RTM_NEWROUTE(10.0.0.1/8 dev 3)", false);
    assertThatThrownBy(() -> replies.accept(NetlinkMessage.parseAll(ByteBuffer.wrap(error))))
        .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(22))
        .hasMessage(
            "RTM_NEWROUTE(10.0.0.1/8 dev 3): EINVAL (Invalid prefix for given prefix length)");
  }

  @Test
  void ackEndsARequestAndStaleRepliesAreSkipped() {
    ByteBuffer ack = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
    ack.putInt(0);
    byte[] datagram =
        concat(
            message(NLMSG_ERROR, NLM_F_CAPPED, 3, errorPayload(-17)), // an old request's failure
            newLinkMessage(4, 2, "eth0", null, 1500, 1, null, 0),
            message(NLMSG_ERROR, NLM_F_CAPPED, 4, ack.array()));
    Replies replies = new Replies(4, "RTM_GETLINK(eth0)", false);
    replies.accept(NetlinkMessage.parseAll(ByteBuffer.wrap(datagram)));
    assertThat(replies.complete()).isTrue();
    assertThat(replies.messages())
        .singleElement()
        .extracting(NetlinkMessage::type)
        .isEqualTo(RTM_NEWLINK);
  }

  @Test
  void interruptedDumpAsksForARetry() {
    byte[] datagram =
        concat(
            message(RTM_NEWLINK, NLM_F_MULTI | NLM_F_DUMP_INTR, 8, new byte[IFINFOMSG_LEN]),
            message(NLMSG_DONE, NLM_F_MULTI | NLM_F_DUMP_INTR, 8, new byte[4]));
    Replies replies = new Replies(8, "dump", true);
    assertThatThrownBy(() -> replies.accept(NetlinkMessage.parseAll(ByteBuffer.wrap(datagram))))
        .isInstanceOf(Netlink.DumpInterruptedException.class);
  }

  @Test
  void truncatedMessagesAreRejected() {
    byte[] msg = newLinkMessage(1, 1, "lo", null, 1, 1, null, 0);
    ByteBuffer cut = ByteBuffer.wrap(msg, 0, msg.length - 4);
    assertThatThrownBy(() -> NetlinkMessage.parseAll(cut))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nlmsg_len");
  }

  @Test
  void routesOfOtherTablesAndTypesAreNotReturned() {
    byte[] main = routeMessage(254, RTN_UNICAST, new byte[] {10, 0, 0, 0}, 8);
    byte[] local = routeMessage(255, 2 /* RTN_LOCAL */, new byte[] {127, 0, 0, 1}, 32);
    Optional<Route> r = RtnlCodec.decodeRoute(single(main), Route.TABLE_MAIN);
    assertThat(r)
        .hasValueSatisfying(
            route -> {
              assertThat(route.destination()).hasToString("10.0.0.0/8");
              assertThat(route.outputIndex()).isEqualTo(3);
              assertThat(route.scope()).isEqualTo(Scope.LINK);
              assertThat(route.protocol()).isEqualTo(Route.PROTOCOL_KERNEL);
            });
    assertThat(RtnlCodec.decodeRoute(single(local), Route.TABLE_MAIN)).isEmpty();
  }

  @Test
  void values() throws Exception {
    MacAddress mac = MacAddress.parse("AA:bb:0c:0D:ee:FF");
    assertThat(mac).hasToString("aa:bb:0c:0d:ee:ff");
    assertThat(MacAddress.of(mac.bytes())).isEqualTo(mac);
    for (int i = 0; i < 100; i++) {
      byte first = MacAddress.randomLocal().bytes()[0];
      assertThat(first & 0x03).as("locally administered unicast").isEqualTo(0x02);
    }
    assertThatThrownBy(() -> MacAddress.parse("aa:bb:cc")).hasMessageContaining("aa:bb:cc");

    assertThat(IpPrefix.parse("fd00::/8"))
        .isEqualTo(IpPrefix.of(InetAddress.getByName("fd00::"), 8));
    assertThat(IpPrefix.parse("10.1.2.3")).hasToString("10.1.2.3/32");
    assertThatThrownBy(() -> IpPrefix.parse("10.1.2.3/8"))
        .hasMessageContaining("host bits")
        .hasMessageContaining("10.0.0.0/8");
    assertThatThrownBy(() -> IpPrefix.parse("300.1.1.1/8")).hasMessageContaining("300.1.1.1");
    assertThatThrownBy(() -> IpPrefix.parse("example.com")).hasMessageContaining("example.com");

    assertThatThrownBy(() -> Netlink.checkName("abcdefghijklmnop", "veth name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("abcdefghijklmnop");
    Netlink.checkName("abcdefghijklmno", "veth name"); // 15 is fine
    assertThatThrownBy(() -> Netlink.checkName("a b", "veth name"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ helpers

  private static NetlinkMessage single(byte[] msg) {
    List<NetlinkMessage> all = NetlinkMessage.parseAll(ByteBuffer.wrap(msg));
    assertThat(all).hasSize(1);
    return all.getFirst();
  }

  private static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
  }

  private static byte[] errorPayload(int error) {
    ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
    b.putInt(error);
    return b.array();
  }

  private static byte[] message(int type, int flags, int seq, byte[] payload) {
    ByteBuffer b =
        ByteBuffer.allocate(Rtnl.align(16 + payload.length)).order(ByteOrder.nativeOrder());
    b.putInt(16 + payload.length)
        .putShort((short) type)
        .putShort((short) flags)
        .putInt(seq)
        .putInt(4242);
    b.put(payload);
    return b.array();
  }

  private static byte[] attr(int type, byte[] value) {
    ByteBuffer b = ByteBuffer.allocate(Rtnl.align(4 + value.length)).order(ByteOrder.nativeOrder());
    b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
    return b.array();
  }

  private static byte[] u32(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
  }

  private static byte[] newLinkMessage(
      int seq, int index, String name, byte[] mac, int mtu, int flags, String kind, int link) {
    ByteBuffer ifi = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
    ifi.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(index).putInt(flags).putInt(0);
    byte[] body =
        concat(
            ifi.array(),
            attr(IFLA_IFNAME, (name + "\0").getBytes(StandardCharsets.US_ASCII)),
            attr(IFLA_MTU, u32(mtu)),
            mac == null ? new byte[0] : attr(IFLA_ADDRESS, mac),
            link == 0 ? new byte[0] : attr(IFLA_LINK, u32(link)),
            kind == null
                ? new byte[0]
                : attr(
                    IFLA_LINKINFO,
                    attr(IFLA_INFO_KIND, (kind + "\0").getBytes(StandardCharsets.US_ASCII))));
    return message(RTM_NEWLINK, NLM_F_MULTI, seq, body);
  }

  private static byte[] routeMessage(int table, int type, byte[] dst, int dstLength) {
    ByteBuffer rtm = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
    rtm.put((byte) 2).put((byte) dstLength).put((byte) 0).put((byte) 0);
    rtm.put((byte) table)
        .put((byte) Route.PROTOCOL_KERNEL)
        .put((byte) Scope.LINK.value())
        .put((byte) type);
    rtm.putInt(0);
    byte[] body =
        concat(rtm.array(), attr(RTA_TABLE, u32(table)), attr(RTA_DST, dst), attr(RTA_OIF, u32(3)));
    return message(RTM_NEWROUTE, NLM_F_MULTI, 1, body);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
