package io.jilium.core.flow;

import static io.jilium.core.flow.Packets.ETH_IPV4;
import static io.jilium.core.flow.Packets.ethernet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * struct drop_notify of bpf/lib/maps.h. The datapath is built with {@code -target bpf}, which
 * writes host byte order (little-endian on x86-64 and arm64); the values below differ per byte so a
 * wrong order or offset shows.
 */
class DropNotificationTest {
  private static final byte[] PACKET =
      ethernet(ETH_IPV4).ipv4("10.0.1.23", "10.0.0.137", 6).tcp(52060, 80, 0x02).build();

  /** The header as C lays it out: offsets from maps.h. */
  private static byte[] record(int lenCap, byte[] packet, int file, int extError, int dir) {
    ByteBuffer b = ByteBuffer.allocate(48 + packet.length).order(ByteOrder.nativeOrder());
    b.put(0, (byte) 1); // type: JILIUM_NOTIFY_DROP
    b.put(1, (byte) 133); // subtype: reason
    b.putShort(2, (short) 2353); // source endpoint
    b.putInt(4, 0x6dfd93e4); // hash
    b.putInt(8, 1514); // len_orig
    b.putShort(12, (short) lenCap); // len_cap
    b.putShort(14, (short) 1); // version
    b.putInt(16, 7658); // src_label
    b.putInt(20, 38236); // dst_label
    b.putInt(24, 0x0a0b); // dst_id
    b.putShort(28, (short) 2089); // line
    b.put(30, (byte) file);
    b.put(31, (byte) extError);
    b.putInt(32, 7); // ifindex
    b.put(36, (byte) dir);
    b.put(37, (byte) 0xee).put(38, (byte) 0xee).put(39, (byte) 0xee); // pad
    b.putLong(40, 0x0102030405060708L); // ktime
    b.put(48, packet);
    return b.array();
  }

  @Test
  void decodesEveryField() {
    DropNotification n = DropNotification.decode(record(PACKET.length, PACKET, 2, -3, 1));

    assertThat(n.reason()).isEqualTo(133);
    assertThat(n.sourceEndpoint()).isEqualTo(2353);
    assertThat(n.hash()).isEqualTo(0x6dfd93e4L);
    assertThat(n.lengthOriginal()).isEqualTo(1514);
    assertThat(n.sourceIdentity()).isEqualTo(7658);
    assertThat(n.destinationIdentity()).isEqualTo(38236);
    assertThat(n.destinationEndpoint()).isEqualTo(0x0a0b);
    assertThat(n.line()).isEqualTo(2089);
    assertThat(n.file()).isEqualTo(2);
    assertThat(n.extError()).isEqualTo(-3);
    assertThat(n.ifindex()).isEqualTo(7);
    assertThat(n.direction()).isEqualTo(DropNotification.DIR_INGRESS);
    assertThat(n.ktimeNanos()).isEqualTo(0x0102030405060708L);
    assertThat(n.packet().connectionSummary())
        .isEqualTo("10.0.1.23:52060 -> 10.0.0.137:80 tcp SYN");
    assertThat(n.reasonDescription()).isEqualTo("Policy denied");
    assertThat(n.fileName()).isEqualTo("bpf_lxc.c");
    assertThat(n.directionName()).isEqualTo("ingress");
  }

  @Test
  void unsignedFieldsStayUnsigned() {
    byte[] r = record(PACKET.length, PACKET, 200, 0, 2);
    ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.nativeOrder());
    b.put(1, (byte) 0xfe);
    b.putShort(2, (short) 0xfffe);
    b.putInt(4, 0xfffffffe);
    b.putShort(28, (short) 0xfffe);

    DropNotification n = DropNotification.decode(r);

    assertThat(n.reason()).isEqualTo(254);
    assertThat(n.sourceEndpoint()).isEqualTo(65534);
    assertThat(n.hash()).isEqualTo(0xfffffffeL);
    assertThat(n.line()).isEqualTo(65534);
    assertThat(n.file()).isEqualTo(200);
    assertThat(n.reasonDescription()).isEqualTo("254");
    assertThat(n.fileName()).isEqualTo("unknown(200)");
    assertThat(n.directionName()).isEqualTo("egress");
  }

  @Test
  void capturedLengthIsBoundedByTheRecord() {
    // len_cap claims more than the ring buffer record holds: parse what is there
    DropNotification n = DropNotification.decode(record(128, PACKET, 2, 0, 1));

    assertThat(n.packet().destinationPort()).isEqualTo(80);
  }

  @Test
  void capturedLengthLimitsThePacket() {
    // only the Ethernet and IP headers were captured; trailing bytes are not the packet
    DropNotification n = DropNotification.decode(record(14 + 20, PACKET, 2, 0, 1));

    assertThat(n.packet().source()).isEqualTo("10.0.1.23");
    assertThat(n.packet().destinationPort()).isZero();
  }

  @Test
  void headerOnly() {
    DropNotification n = DropNotification.decode(record(0, new byte[0], 0, 0, 0));

    assertThat(n.packet().isKnown()).isFalse();
    assertThat(n.directionName()).isEqualTo("unknown");
    assertThat(n.fileName()).isEqualTo("unknown(0)");
  }

  @Test
  void tooShort() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> DropNotification.decode(new byte[47]))
        .withMessage("drop notification of 47 bytes (expected at least 48)");
  }

  @Test
  void fileIdsAreThoseOfCommonH() throws java.io.IOException {
    // #define JL_FILE_IP 120 /* lib/ip.h */: the id and, from the comment, the file name
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "^#define\\s+JL_FILE_\\w+\\s+(\\d+)\\s*/\\*\\s*(?:lib/)?(\\S+\\.[ch])\\b",
                java.util.regex.Pattern.MULTILINE)
            .matcher(java.nio.file.Files.readString(java.nio.file.Path.of("../bpf/lib/common.h")));
    int checked = 0;
    while (m.find()) {
      int id = Integer.parseInt(m.group(1));
      assertThat(DropNotification.decode(record(0, new byte[0], id, 0, 1)).fileName())
          .as("file id %d", id)
          .isEqualTo(m.group(2));
      checked++;
    }
    long defined =
        java.nio.file.Files.readString(java.nio.file.Path.of("../bpf/lib/common.h"))
            .lines()
            .filter(
                l ->
                    l.matches("#define\\s+JL_FILE_\\w+\\s+\\d+.*")
                        && !l.contains("JL_FILE_UNKNOWN"))
            .count();
    assertThat(checked)
        .as("file ids found in common.h")
        .isGreaterThanOrEqualTo(6)
        .isEqualTo(defined);
  }
}
