package io.jilium.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.IpFamily;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LbDiffTest {
  private static final L3n4Addr FE = L3n4Addr.parse("10.96.0.1:80/TCP");
  private static final L3n4Addr B1 = L3n4Addr.parse("10.0.0.1:8080/TCP");
  private static final L3n4Addr B2 = L3n4Addr.parse("10.0.0.2:8080/TCP");
  private static final L3n4Addr B3 = L3n4Addr.parse("10.0.0.3:8080/TCP");
  private static final LbState.FamilyId ID5 = new LbState.FamilyId(IpFamily.IPV4, 5);

  private static LbState state(List<Integer> slots, Map<Integer, L3n4Addr> backends) {
    Map<Integer, LbState.Backend> bs = new java.util.HashMap<>();
    backends.forEach((id, a) -> bs.put(id, new LbState.Backend(a, LbState.BACKEND_ACTIVE)));
    return new LbState(
        Map.of(FE, new LbState.Frontend(5, LbState.F_CLUSTERIP, 0, slots.size(), slots)),
        bs,
        Map.of(ID5, new L3n4Addr(FE.address(), FE.port(), Protocol.ANY)),
        Map.of());
  }

  @Test
  void aNewFrontendIsVisibleOnlyOnceEverythingItNamesExists() {
    LbState to = state(List.of(1, 2), Map.of(1, B1, 2, B2));
    assertThat(LbDiff.diff(LbState.EMPTY, to))
        .containsExactly(
            new LbOp.PutBackend(1, to.backends().get(1)),
            new LbOp.PutBackend(2, to.backends().get(2)),
            new LbOp.PutRevNat(5, to.revNat().get(ID5)),
            new LbOp.PutSlot(FE, 1, 1, 0, 5, 0, 0),
            new LbOp.PutSlot(FE, 2, 2, 0, 5, 0, 0),
            new LbOp.PutSlot(FE, 0, 0, 2, 5, LbState.F_CLUSTERIP, 0));
  }

  @Test
  void scaleDownLowersTheCountBeforeSlotsAndBackendsGo() {
    LbState from = state(List.of(1, 2, 3), Map.of(1, B1, 2, B2, 3, B3));
    LbState to = state(List.of(1, 3), Map.of(1, B1, 3, B3));
    assertThat(LbDiff.diff(from, to))
        .containsExactly(
            new LbOp.PutSlot(FE, 2, 3, 0, 5, 0, 0),
            new LbOp.PutSlot(FE, 0, 0, 2, 5, LbState.F_CLUSTERIP, 0),
            new LbOp.DeleteSlot(FE, 3),
            new LbOp.DeleteBackend(IpFamily.IPV4, 2));
  }

  @Test
  void aRemovedFrontendLosesSlotZeroFirst() {
    LbState from = state(List.of(1), Map.of(1, B1));
    assertThat(LbDiff.diff(from, LbState.EMPTY))
        .containsExactly(
            new LbOp.DeleteSlot(FE, 0),
            new LbOp.DeleteSlot(FE, 1),
            new LbOp.DeleteRevNat(IpFamily.IPV4, 5),
            new LbOp.DeleteBackend(IpFamily.IPV4, 1));
  }

  @Test
  void equalStatesNeedNothing() {
    LbState s = state(List.of(1), Map.of(1, B1));
    assertThat(LbDiff.diff(s, state(List.of(1), Map.of(1, B1)))).isEmpty();
  }
}
