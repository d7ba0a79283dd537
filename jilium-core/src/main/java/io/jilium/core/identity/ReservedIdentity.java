package io.jilium.core.identity;

import io.jilium.core.labels.Label;
import io.jilium.core.labels.Labels;
import java.util.Optional;

/** Cilium's reserved identities, with Cilium's numbers and labels. */
public enum ReservedIdentity {
  HOST(1, "host"),
  WORLD(2, "world"),
  UNMANAGED(3, "unmanaged"),
  HEALTH(4, "health"),
  INIT(5, "init"),
  REMOTE_NODE(6, "remote-node"),
  KUBE_APISERVER(7, "kube-apiserver"),
  INGRESS(8, "ingress"),
  WORLD_IPV4(9, "world-ipv4"),
  WORLD_IPV6(10, "world-ipv6");

  /** The first id of identities allocated for label sets. */
  public static final int MIN_ALLOCATED = 256;

  /** Allocated cluster identities fit 16 bits (the cluster id takes bits 16-23). */
  public static final int MAX_ALLOCATED = 65535;

  /** Bit 24 marks node-local identities (CIDR, FQDN): they never leave the node. */
  public static final int LOCAL_SCOPE_FLAG = 1 << 24;

  private final int id;
  private final String name;

  ReservedIdentity(int id, String name) {
    this.id = id;
    this.name = name;
  }

  public int id() {
    return id;
  }

  public String label() {
    return name;
  }

  public Labels labels() {
    if (this == KUBE_APISERVER) {
      return Labels.of(Label.reserved(name), Label.reserved(REMOTE_NODE.name));
    }
    return Labels.of(Label.reserved(name));
  }

  public static Optional<ReservedIdentity> of(int id) {
    for (ReservedIdentity r : values()) {
      if (r.id == id) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public static Optional<ReservedIdentity> byName(String name) {
    for (ReservedIdentity r : values()) {
      if (r.name.equals(name)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** How Cilium prints an identity: the reserved name, or the number. */
  public static String display(int id) {
    return of(id).map(ReservedIdentity::label).orElse(Integer.toString(id));
  }
}
