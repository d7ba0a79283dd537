package io.jilium.core.ipam;

import io.jilium.core.net.Cidr;

/** Every address of a pod CIDR is in use. */
public final class IpamExhaustedException extends IllegalStateException {
  public IpamExhaustedException(Cidr cidr, int allocated) {
    super(
        "no free address in pod CIDR "
            + cidr
            + " ("
            + allocated
            + " allocated); delete pods or start the agent with a larger --pod-cidr");
  }
}
