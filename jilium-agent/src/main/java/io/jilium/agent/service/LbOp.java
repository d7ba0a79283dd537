package io.jilium.agent.service;

import io.jilium.core.resource.IpFamily;

/** One write to a load-balancing map; {@link LbDiff} orders them so no lookup sees a gap. */
public sealed interface LbOp {
  /** {@code jl_lb{4,6}_backends[id] = backend}. */
  record PutBackend(int id, LbState.Backend backend) implements LbOp {}

  record DeleteBackend(IpFamily family, int id) implements LbOp {}

  /** {@code jl_lb{4,6}_revnat[id] = frontend} (address and port). */
  record PutRevNat(int id, L3n4Addr frontend) implements LbOp {}

  record DeleteRevNat(IpFamily family, int id) implements LbOp {}

  /** The Maglev table of service {@code id}. */
  record PutMaglev(IpFamily family, int id, LbState.MaglevTable table) implements LbOp {}

  record DeleteMaglev(IpFamily family, int id) implements LbOp {}

  /**
   * {@code jl_lb{4,6}_services[(frontend, slot)]}: slot 0 carries count, flags and affinity
   * timeout; slots 1..n the backend id (and the service id, for display).
   */
  record PutSlot(
      L3n4Addr frontend,
      int slot,
      int backendId,
      int count,
      int revNatIndex,
      int flags,
      int affinityTimeout)
      implements LbOp {}

  record DeleteSlot(L3n4Addr frontend, int slot) implements LbOp {}
}
