package io.jilium.agent.service;

import java.util.List;

/** The one writer of the load-balancing maps: the kernel's (datapath.LbMapSync) or a test's. */
public interface LbWriter {
  /** Applies {@code ops} in order; throws on the first that fails, naming it. */
  void apply(List<LbOp> ops);

  /** What the maps hold now, as left by an earlier agent or a failed write. */
  LbState read();
}
