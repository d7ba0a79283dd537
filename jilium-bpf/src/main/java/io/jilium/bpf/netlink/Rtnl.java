package io.jilium.bpf.netlink;

/**
 * Constants from the kernel's uapi headers: linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h,
 * neighbour.h and veth.h. Only those Jilium uses.
 */
final class Rtnl {
  private Rtnl() {}

  static final int NETLINK_ROUTE = 0;
  // socket options at SOL_NETLINK
  static final int NETLINK_CAP_ACK = 10;
  static final int NETLINK_EXT_ACK = 11;

  // struct nlmsghdr
  static final int NLMSG_HDRLEN = 16;
  static final int NLMSG_NOOP = 1;
  static final int NLMSG_ERROR = 2;
  static final int NLMSG_DONE = 3;
  static final int NLMSG_OVERRUN = 4;
  static final int NLM_F_REQUEST = 0x1;
  static final int NLM_F_MULTI = 0x2;
  static final int NLM_F_ACK = 0x4;
  static final int NLM_F_DUMP_INTR = 0x10;
  static final int NLM_F_DUMP = 0x300;
  static final int NLM_F_REPLACE = 0x100;
  static final int NLM_F_EXCL = 0x200;
  static final int NLM_F_CREATE = 0x400;
  // flags of an NLMSG_ERROR message
  static final int NLM_F_CAPPED = 0x100;
  static final int NLM_F_ACK_TLVS = 0x200;
  static final int NLMSGERR_ATTR_MSG = 1;

  // struct nlattr / rtattr
  static final int NLA_HDRLEN = 4;
  static final int NLA_TYPE_MASK = 0x3FFF;

  static final int RTM_NEWLINK = 16;
  static final int RTM_DELLINK = 17;
  static final int RTM_GETLINK = 18;
  static final int RTM_NEWADDR = 20;
  static final int RTM_DELADDR = 21;
  static final int RTM_GETADDR = 22;
  static final int RTM_NEWROUTE = 24;
  static final int RTM_DELROUTE = 25;
  static final int RTM_GETROUTE = 26;
  static final int RTM_NEWNEIGH = 28;
  static final int RTM_DELNEIGH = 29;

  // struct ifinfomsg (16 bytes) and IFLA_*
  static final int IFINFOMSG_LEN = 16;
  static final int IFLA_ADDRESS = 1;
  static final int IFLA_IFNAME = 3;
  static final int IFLA_MTU = 4;
  static final int IFLA_LINK = 5;
  static final int IFLA_LINKINFO = 18;
  static final int IFLA_NET_NS_FD = 28;
  static final int IFLA_INFO_KIND = 1;
  static final int IFLA_INFO_DATA = 2;
  static final int VETH_INFO_PEER = 1;
  static final int IFF_UP = 0x1;

  /** Longest device name: IFNAMSIZ (16) less the NUL. */
  static final int IFNAME_MAX = 15;

  // struct ifaddrmsg (8 bytes) and IFA_*
  static final int IFADDRMSG_LEN = 8;
  static final int IFA_ADDRESS = 1;
  static final int IFA_LOCAL = 2;
  static final int IFA_FLAGS = 8;

  // struct rtmsg (12 bytes) and RTA_*
  static final int RTMSG_LEN = 12;
  static final int RTA_DST = 1;
  static final int RTA_OIF = 4;
  static final int RTA_GATEWAY = 5;
  static final int RTA_PRIORITY = 6;
  static final int RTA_TABLE = 15;
  static final int RTN_UNICAST = 1;
  static final int RTM_F_CLONED = 0x200;

  // struct ndmsg (12 bytes) and NDA_*
  static final int NDMSG_LEN = 12;
  static final int NDA_DST = 1;
  static final int NDA_LLADDR = 2;
  static final int NUD_REACHABLE = 0x02;
  static final int NUD_PERMANENT = 0x80;

  /** The name of a message type, for messages and errors. */
  static String typeName(int type) {
    return switch (type) {
      case NLMSG_NOOP -> "NLMSG_NOOP";
      case NLMSG_ERROR -> "NLMSG_ERROR";
      case NLMSG_DONE -> "NLMSG_DONE";
      case NLMSG_OVERRUN -> "NLMSG_OVERRUN";
      case RTM_NEWLINK -> "RTM_NEWLINK";
      case RTM_DELLINK -> "RTM_DELLINK";
      case RTM_GETLINK -> "RTM_GETLINK";
      case RTM_NEWADDR -> "RTM_NEWADDR";
      case RTM_DELADDR -> "RTM_DELADDR";
      case RTM_GETADDR -> "RTM_GETADDR";
      case RTM_NEWROUTE -> "RTM_NEWROUTE";
      case RTM_DELROUTE -> "RTM_DELROUTE";
      case RTM_GETROUTE -> "RTM_GETROUTE";
      case RTM_NEWNEIGH -> "RTM_NEWNEIGH";
      case RTM_DELNEIGH -> "RTM_DELNEIGH";
      default -> "type " + type;
    };
  }

  /** {@code NLMSG_ALIGN}/{@code NLA_ALIGN}: rounds up to a multiple of 4. */
  static int align(int n) {
    return (n + 3) & ~3;
  }
}
