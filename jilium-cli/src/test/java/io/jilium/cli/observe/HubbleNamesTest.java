package io.jilium.cli.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.flow.DropReason;
import io.jilium.core.identity.ReservedIdentity;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CLI's copies of the control plane's tables must not drift from it. */
class HubbleNamesTest {
  @Test
  void dropReasonsEqualTheControlPlanes() {
    Map<Integer, String> core = new LinkedHashMap<>();
    for (DropReason r : DropReason.values()) {
      core.put(r.code(), r.description());
    }
    assertThat(HubbleNames.dropReasons()).containsExactlyInAnyOrderEntriesOf(core);
    assertThat(HubbleNames.dropReason(133)).isEqualTo("Policy denied");
    assertThat(HubbleNames.dropReason(250)).isEqualTo("250");
  }

  @Test
  void reservedIdentitiesEqualTheControlPlanes() {
    Map<String, Integer> core = new LinkedHashMap<>();
    for (ReservedIdentity r : ReservedIdentity.values()) {
      core.put(r.label(), r.id());
    }
    assertThat(HubbleNames.RESERVED_IDENTITIES).containsExactlyInAnyOrderEntriesOf(core);
    assertThat(HubbleNames.reservedIdentity(0)).contains("unknown");
    assertThat(HubbleNames.reservedIdentity(256)).isEmpty();
  }
}
