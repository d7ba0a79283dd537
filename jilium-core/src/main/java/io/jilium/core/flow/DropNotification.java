package io.jilium.core.flow;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A drop notification as the datapath writes it ({@code struct drop_notify} in bpf/lib/maps.h): who
 * dropped what, why, between which identities, with the head of the packet.
 */
public record DropNotification(
    int reason,
    int sourceEndpoint,
    long hash,
    int lengthOriginal,
    int sourceIdentity,
    int destinationIdentity,
    int destinationEndpoint,
    int line,
    int file,
    int extError,
    int ifindex,
    int direction,
    long ktimeNanos,
    PacketSummary packet) {
  public static final int TYPE_DROP = 1;
  public static final int DIR_INGRESS = 1;
  public static final int DIR_EGRESS = 2;

  /** Bytes before the captured packet. */
  public static final int HEADER_SIZE = 48;

  /** Decodes one ring buffer record; the caller has checked the type byte. */
  public static DropNotification decode(byte[] record) {
    if (record.length < HEADER_SIZE) {
      throw new IllegalArgumentException(
          "drop notification of "
              + record.length
              + " bytes (expected at least "
              + HEADER_SIZE
              + ")");
    }
    ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.nativeOrder());
    int capLen = Math.min(b.getShort(12) & 0xffff, record.length - HEADER_SIZE);
    return new DropNotification(
        b.get(1) & 0xff,
        b.getShort(2) & 0xffff,
        b.getInt(4) & 0xffffffffL,
        b.getInt(8),
        b.getInt(16),
        b.getInt(20),
        b.getInt(24),
        b.getShort(28) & 0xffff,
        b.get(30) & 0xff,
        b.get(31),
        b.getInt(32),
        b.get(36) & 0xff,
        b.getLong(40),
        PacketSummary.parse(record, HEADER_SIZE, capLen));
  }

  /** The datapath source file a drop was decided in (ids from bpf/lib/common.h). */
  public String fileName() {
    return fileName(file);
  }

  /** The name of a datapath source file id (bpf/lib/common.h). */
  public static String fileName(int file) {
    return switch (file) {
      case 1 -> "bpf_host.c";
      case 2 -> "bpf_lxc.c";
      case 5 -> "bpf_sock.c";
      case 109 -> "conntrack.h";
      case 120 -> "ip.h";
      case 121 -> "icmp.h";
      case 122 -> "frag.h";
      case 123 -> "policy.h";
      case 124 -> "nat.h";
      default -> "unknown(" + file + ")";
    };
  }

  public String reasonDescription() {
    return DropReason.describe(reason);
  }

  public String directionName() {
    return switch (direction) {
      case DIR_INGRESS -> "ingress";
      case DIR_EGRESS -> "egress";
      default -> "unknown";
    };
  }
}
