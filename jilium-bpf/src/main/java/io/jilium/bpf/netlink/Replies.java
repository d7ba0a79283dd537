package io.jilium.bpf.netlink;

import static io.jilium.bpf.netlink.Rtnl.*;

import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the kernel's reply to one request, message by message: the data messages, then the
 * terminating acknowledgement (NLMSG_ERROR with error 0) or, for a dump, NLMSG_DONE. Messages of
 * other sequence numbers are left-overs of an earlier request that gave up (timed out) and are
 * skipped.
 */
final class Replies {
  private final int seq;
  private final String what;
  private final boolean dump;
  private final List<NetlinkMessage> messages = new ArrayList<>();
  private boolean interrupted;
  private boolean complete;

  Replies(int seq, String what, boolean dump) {
    this.seq = seq;
    this.what = what;
    this.dump = dump;
  }

  boolean complete() {
    return complete;
  }

  /** The data messages received, once {@link #complete()}. */
  List<NetlinkMessage> messages() {
    return messages;
  }

  /**
   * Takes the messages of one datagram.
   *
   * @throws ErrnoException on an NLMSG_ERROR with a non-zero error or a failed dump
   * @throws Netlink.DumpInterruptedException when a finished dump was flagged NLM_F_DUMP_INTR
   */
  void accept(List<NetlinkMessage> datagram) {
    for (NetlinkMessage m : datagram) {
      if (complete || m.seq() != seq || m.type() == NLMSG_NOOP) {
        continue;
      }
      interrupted |= (m.flags() & NLM_F_DUMP_INTR) != 0;
      switch (m.type()) {
        case NLMSG_ERROR -> {
          if (m.payload().limit() < 4) {
            throw new ErrnoException(what, Errno.EIO, "short NLMSG_ERROR");
          }
          if (m.payload().getInt(0) != 0) {
            throw RtnlCodec.error(what, m);
          }
          complete = true;
        }
        case NLMSG_DONE -> {
          int error = m.payload().limit() >= 4 ? m.payload().getInt(0) : 0;
          if (error < 0) {
            throw RtnlCodec.error(what, m);
          }
          complete = true;
        }
        case NLMSG_OVERRUN -> throw new ErrnoException(what, Errno.ENOBUFS, "NLMSG_OVERRUN");
        default -> messages.add(m);
      }
    }
    if (complete && dump && interrupted) {
      throw new Netlink.DumpInterruptedException(what);
    }
  }
}
