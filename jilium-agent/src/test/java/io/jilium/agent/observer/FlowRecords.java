package io.jilium.agent.observer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Datapath notifications as bpf/lib/maps.h lays them out, for tests. */
final class FlowRecords {
  private FlowRecords() {}

  static ByteBuffer buf(byte[] r) {
    return ByteBuffer.wrap(r).order(ByteOrder.nativeOrder());
  }

  /** A notification of {@code type} from endpoint {@code source} at monotonic time 5 s. */
  static byte[] header(int type, int subtype, int source, byte[] packet) {
    ByteBuffer b = ByteBuffer.allocate(48 + packet.length).order(ByteOrder.nativeOrder());
    b.put(0, (byte) type).put(1, (byte) subtype).putShort(2, (short) source);
    b.putInt(8, packet.length).putShort(12, (short) packet.length).putShort(14, (short) 1);
    b.putLong(40, 5_000_000_000L);
    b.put(48, packet);
    return b.array();
  }

  /** An Ethernet + IPv4 + TCP packet from 10.0.0.{src} to 10.0.0.{dst}. */
  static byte[] tcp(int src, int dst, int sport, int dport, int flags) {
    ByteBuffer p = ipv4(src, dst, 6, 20);
    p.putShort((short) sport).putShort((short) dport).putInt(1).putInt(0);
    p.put((byte) 0x50).put((byte) flags).putShort((short) 65535).putInt(0);
    return p.array();
  }

  /** An Ethernet + IPv4 + ICMP packet from 10.0.0.{src} to 10.0.0.{dst}. */
  static byte[] icmp(int src, int dst, int type) {
    ByteBuffer p = ipv4(src, dst, 1, 8);
    p.put((byte) type).put((byte) 0).putShort((short) 0).putInt(0);
    return p.array();
  }

  private static ByteBuffer ipv4(int src, int dst, int protocol, int l4Length) {
    ByteBuffer p = ByteBuffer.allocate(34 + l4Length);
    p.put(new byte[] {2, 0, 0, 0, 0, (byte) dst, 2, 0, 0, 0, 0, (byte) src});
    p.putShort((short) 0x0800);
    p.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4Length)).putInt(0);
    p.put((byte) 64).put((byte) protocol).putShort((short) 0);
    p.put(new byte[] {10, 0, 0, (byte) src}).put(new byte[] {10, 0, 0, (byte) dst});
    return p;
  }
}
