package io.jilium.core.policy;

/** Traffic direction seen from the endpoint. */
public enum Direction {
  INGRESS,
  EGRESS;

  /** As Cilium prints it: {@code Ingress}, {@code Egress}. */
  public String display() {
    return this == INGRESS ? "Ingress" : "Egress";
  }
}
