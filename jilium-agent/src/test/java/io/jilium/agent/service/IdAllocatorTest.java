package io.jilium.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdAllocatorTest {
  @Test
  void lowestFreeInKeyOrderAndStableWhileWanted() {
    IdAllocator<String> ids = new IdAllocator<>("service id", 10);
    ids.sync(List.of("b", "a"));
    assertThat(ids.byId()).isEqualTo(Map.of(1, "a", 2, "b"));
    ids.sync(List.of("b", "c"));
    assertThat(ids.byId()).isEqualTo(Map.of(2, "b", 3, "c"));
    // a's id came free in the last change; the next one takes it
    ids.sync(List.of("b", "c", "d"));
    assertThat(ids.id("d")).isEqualTo(1);
  }

  @Test
  void anIdIsNotReusedWithinOneChange() {
    IdAllocator<String> ids = new IdAllocator<>("service id", 10);
    ids.sync(List.of("a"));
    ids.sync(List.of("z"));
    assertThat(ids.id("z")).isEqualTo(2);
  }

  @Test
  void runningOutChangesNothing() {
    IdAllocator<String> ids = new IdAllocator<>("backend id", 2);
    ids.sync(List.of("a", "b"));
    assertThatThrownBy(() -> ids.sync(List.of("a", "b", "c")))
        .hasMessage("no free backend id: 2 in use, 1 more needed (at most 2)");
    assertThat(ids.byId()).isEqualTo(Map.of(1, "a", 2, "b"));
  }

  @Test
  void restoreKeepsSavedIds() {
    IdAllocator<String> ids = new IdAllocator<>("service id", 10);
    assertThat(ids.restore("a", 7)).isTrue();
    assertThat(ids.restore("b", 7)).isFalse();
    assertThat(ids.restore("c", 11)).isFalse();
    ids.sync(List.of("a", "b"));
    assertThat(ids.byId()).isEqualTo(Map.of(7, "a", 1, "b"));
  }
}
