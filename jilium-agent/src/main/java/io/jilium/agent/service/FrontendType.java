package io.jilium.agent.service;

/** How a frontend is reached, with the names Cilium prints ({@code cilium service list}). */
public enum FrontendType {
  CLUSTER_IP("ClusterIP", LbState.F_CLUSTERIP),
  NODE_PORT("NodePort", LbState.F_NODEPORT),
  EXTERNAL_IP("ExternalIPs", LbState.F_EXTERNAL_IP),
  LOAD_BALANCER("LoadBalancer", LbState.F_LOADBALANCER);

  private final String ciliumName;
  private final int flag;

  FrontendType(String ciliumName, int flag) {
    this.ciliumName = ciliumName;
    this.flag = flag;
  }

  public String ciliumName() {
    return ciliumName;
  }

  /** The {@code LB_SVC_F_*} flag of a frontend of this type. */
  public int flag() {
    return flag;
  }
}
