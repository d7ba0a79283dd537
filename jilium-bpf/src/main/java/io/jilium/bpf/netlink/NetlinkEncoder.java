package io.jilium.bpf.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink message: the {@code nlmsghdr}, one family header ({@code ifinfomsg}, {@code
 * ifaddrmsg}, {@code rtmsg}, {@code ndmsg}) and {@code rtattr}s, each padded to 4 bytes; nested
 * attributes with {@link #beginNested}/{@link #endNested}. Integers are in native byte order, as
 * rtnetlink wants; addresses are written as given (network order).
 *
 * <pre>{@code
 * byte[] msg = new NetlinkEncoder(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK)
 *     .ifinfomsg(0, 0, ifindex, IFF_UP, IFF_UP)
 *     .attrU32(IFLA_MTU, 1500)
 *     .finish(seq);
 * }</pre>
 */
final class NetlinkEncoder {
  private final int type;
  private byte[] buf = new byte[256];
  private ByteBuffer bb = wrap(buf);
  private int pos = Rtnl.NLMSG_HDRLEN;

  NetlinkEncoder(int type, int flags) {
    this.type = type;
    bb.putShort(4, (short) type);
    bb.putShort(6, (short) flags);
  }

  /** The message type, e.g. {@link Rtnl#RTM_NEWLINK}. */
  int type() {
    return type;
  }

  /** {@code struct ifinfomsg}: family, pad, type, index, flags, change. */
  NetlinkEncoder ifinfomsg(int family, int devType, int index, int flags, int change) {
    int at = reserve(Rtnl.IFINFOMSG_LEN);
    bb.put(at, (byte) family);
    bb.putShort(at + 2, (short) devType);
    bb.putInt(at + 4, index);
    bb.putInt(at + 8, flags);
    bb.putInt(at + 12, change);
    return this;
  }

  /** {@code struct ifaddrmsg}: family, prefixlen, flags, scope, index. */
  NetlinkEncoder ifaddrmsg(int family, int prefixLength, int flags, int scope, int index) {
    int at = reserve(Rtnl.IFADDRMSG_LEN);
    bb.put(at, (byte) family);
    bb.put(at + 1, (byte) prefixLength);
    bb.put(at + 2, (byte) flags);
    bb.put(at + 3, (byte) scope);
    bb.putInt(at + 4, index);
    return this;
  }

  /** {@code struct rtmsg}: family, dst_len, src_len, tos, table, protocol, scope, type, flags. */
  NetlinkEncoder rtmsg(
      int family, int dstLength, int table, int protocol, int scope, int routeType, int flags) {
    int at = reserve(Rtnl.RTMSG_LEN);
    bb.put(at, (byte) family);
    bb.put(at + 1, (byte) dstLength);
    bb.put(at + 2, (byte) 0); // src_len
    bb.put(at + 3, (byte) 0); // tos
    bb.put(at + 4, (byte) table);
    bb.put(at + 5, (byte) protocol);
    bb.put(at + 6, (byte) scope);
    bb.put(at + 7, (byte) routeType);
    bb.putInt(at + 8, flags);
    return this;
  }

  /** {@code struct ndmsg}: family, pad, pad, ifindex, state, flags, type. */
  NetlinkEncoder ndmsg(int family, int ifindex, int state, int flags, int neighType) {
    int at = reserve(Rtnl.NDMSG_LEN);
    bb.put(at, (byte) family);
    bb.putInt(at + 4, ifindex);
    bb.putShort(at + 8, (short) state);
    bb.put(at + 10, (byte) flags);
    bb.put(at + 11, (byte) neighType);
    return this;
  }

  /** An attribute with a raw value, padded to 4 bytes ({@code rta_len} excludes the padding). */
  NetlinkEncoder attr(int attrType, byte[] value) {
    checkAttrLength(Rtnl.NLA_HDRLEN + value.length);
    int at = reserve(Rtnl.align(Rtnl.NLA_HDRLEN + value.length));
    bb.putShort(at, (short) (Rtnl.NLA_HDRLEN + value.length));
    bb.putShort(at + 2, (short) attrType);
    System.arraycopy(value, 0, buf, at + Rtnl.NLA_HDRLEN, value.length);
    return this;
  }

  /** A NUL-terminated string attribute. */
  NetlinkEncoder attrString(int attrType, String value) {
    byte[] s = value.getBytes(StandardCharsets.UTF_8);
    return attr(attrType, Arrays.copyOf(s, s.length + 1));
  }

  /** A {@code u32} attribute in native order. */
  NetlinkEncoder attrU32(int attrType, int value) {
    byte[] v = new byte[4];
    wrap(v).putInt(0, value);
    return attr(attrType, v);
  }

  /** Opens a nested attribute; returns the token to pass to {@link #endNested}. */
  int beginNested(int attrType) {
    int at = reserve(Rtnl.NLA_HDRLEN);
    bb.putShort(at + 2, (short) attrType);
    return at;
  }

  /** Closes the nested attribute opened at {@code token}: its length now covers its content. */
  NetlinkEncoder endNested(int token) {
    checkAttrLength(pos - token);
    bb.putShort(token, (short) (pos - token));
    return this;
  }

  /** The finished message with {@code nlmsg_len} and {@code nlmsg_seq} filled in (pid 0). */
  byte[] finish(int seq) {
    bb.putInt(0, pos);
    bb.putInt(8, seq);
    bb.putInt(12, 0);
    return Arrays.copyOf(buf, pos);
  }

  /** Appends {@code n} zero bytes (n a multiple of 4) and returns where they start. */
  private int reserve(int n) {
    int at = pos;
    if (at + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, at + n));
      bb = wrap(buf);
    }
    pos += n;
    return at;
  }

  /** {@code rta_len} is 16 bits. */
  private void checkAttrLength(int length) {
    if (length > 0xFFFF) {
      throw new IllegalArgumentException(
          Rtnl.typeName(type) + ": attribute of " + length + " bytes (expected: at most 65535)");
    }
  }

  private static ByteBuffer wrap(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.nativeOrder());
  }
}
