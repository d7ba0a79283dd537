package io.jilium.bpf.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One received netlink message: the {@code nlmsghdr} fields and the payload after it (family header
 * and attributes), as a little view of the datagram in native byte order.
 */
record NetlinkMessage(int type, int flags, int seq, int pid, ByteBuffer payload) {

  /**
   * Splits a datagram into its messages.
   *
   * @throws IllegalArgumentException if a header is truncated or claims more bytes than there are
   */
  static List<NetlinkMessage> parseAll(ByteBuffer datagram) {
    ByteBuffer d = datagram.slice().order(ByteOrder.nativeOrder());
    List<NetlinkMessage> out = new ArrayList<>();
    int at = 0;
    while (d.limit() - at >= Rtnl.NLMSG_HDRLEN) {
      int len = d.getInt(at);
      if (len < Rtnl.NLMSG_HDRLEN || len > d.limit() - at) {
        throw new IllegalArgumentException(
            "netlink message at offset "
                + at
                + ": nlmsg_len "
                + len
                + " (expected: 16-"
                + (d.limit() - at)
                + ")");
      }
      int type = Short.toUnsignedInt(d.getShort(at + 4));
      int flags = Short.toUnsignedInt(d.getShort(at + 6));
      int seq = d.getInt(at + 8);
      int pid = d.getInt(at + 12);
      ByteBuffer payload =
          d.slice(at + Rtnl.NLMSG_HDRLEN, len - Rtnl.NLMSG_HDRLEN).order(ByteOrder.nativeOrder());
      out.add(new NetlinkMessage(type, flags, seq, pid, payload));
      at += Rtnl.align(len);
    }
    return out;
  }

  /** The attributes that follow a family header of {@code headerLength} bytes. */
  Attributes attributes(int headerLength) {
    if (payload.limit() < headerLength) {
      throw new IllegalArgumentException(
          Rtnl.typeName(type)
              + ": payload of "
              + payload.limit()
              + " bytes (expected: at least "
              + headerLength
              + ")");
    }
    return Attributes.parse(payload.slice(headerLength, payload.limit() - headerLength));
  }

  @Override
  public String toString() {
    return Rtnl.typeName(type)
        + "[flags=0x"
        + Integer.toHexString(flags)
        + " seq="
        + seq
        + " pid="
        + pid
        + " len="
        + payload.limit()
        + "]";
  }
}
