package io.jilium.bpf.loader;

import io.jilium.bpf.BpfObject;
import io.jilium.bpf.TcAttach;

/** The two programs a datapath object puts on a device: one at tc ingress, one at tc egress. */
record TcPrograms(String ingress, int ingressFd, String egress, int egressFd) {
  /** The programs named {@code ingress} and {@code egress} of a loaded object (fds it owns). */
  static TcPrograms of(BpfObject object, String ingress, String egress) {
    return new TcPrograms(ingress, object.programFd(ingress), egress, object.programFd(egress));
  }

  /** Attaches (or atomically replaces) both programs on the device. */
  void attach(int ifindex, String ifname) {
    TcAttach.attach(ifindex, TcAttach.Hook.INGRESS, ingressFd, ingress + " to " + ifname);
    TcAttach.attach(ifindex, TcAttach.Hook.EGRESS, egressFd, egress + " to " + ifname);
  }

  /** Removes both programs; a device without them is left as it is. */
  void detach(int ifindex) {
    TcAttach.detach(ifindex, TcAttach.Hook.INGRESS);
    TcAttach.detach(ifindex, TcAttach.Hook.EGRESS);
  }
}
