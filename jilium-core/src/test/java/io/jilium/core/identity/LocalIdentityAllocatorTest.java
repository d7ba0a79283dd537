package io.jilium.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.jilium.core.labels.Label;
import io.jilium.core.labels.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalIdentityAllocatorTest {
  private final LocalIdentityAllocator allocator = new LocalIdentityAllocator();

  private static Labels app(String name) {
    return Labels.of(Label.k8s("app", name), Label.k8s("io.kubernetes.pod.namespace", "default"));
  }

  @Test
  void firstAllocatedIdIs256() {
    assertThat(allocator.acquire(app("web")).id()).isEqualTo(256);
    assertThat(allocator.acquire(app("db")).id()).isEqualTo(257);
  }

  @Test
  void equalLabelSetsShareAnIdentity() {
    Identity a = allocator.acquire(app("web"));
    Identity b =
        allocator.acquire(
            Labels.of(
                Label.k8s("io.kubernetes.pod.namespace", "default"), Label.k8s("app", "web")));

    assertThat(b).isEqualTo(a);
    assertThat(allocator.references(a.id())).isEqualTo(2);
    assertThat(allocator.lookup(a.id())).contains(a);
    assertThat(allocator.lookup(app("web"))).contains(a);
  }

  @Test
  void releasedOnlyAtTheLastRelease() {
    Identity a = allocator.acquire(app("web"));
    allocator.acquire(app("web"));
    allocator.acquire(app("web"));

    assertThat(allocator.release(a)).isFalse();
    assertThat(allocator.release(a)).isFalse();
    assertThat(allocator.lookup(a.id())).isPresent();
    assertThat(allocator.release(a)).isTrue();
    assertThat(allocator.lookup(a.id())).isEmpty();
    assertThat(allocator.lookup(app("web"))).isEmpty();
    assertThat(allocator.references(a.id())).isZero();
  }

  @Test
  void releasingAnIdentityNotHeldIsAnError() {
    Identity a = allocator.acquire(app("web"));
    allocator.release(a);

    assertThatIllegalStateException()
        .isThrownBy(() -> allocator.release(a))
        .withMessageContaining("256");
  }

  @Test
  void lowestFreeIdIsReused() {
    Identity a = allocator.acquire(app("a"));
    Identity b = allocator.acquire(app("b"));
    Identity c = allocator.acquire(app("c"));
    allocator.release(b);
    allocator.release(a);

    assertThat(allocator.acquire(app("d")).id()).isEqualTo(256);
    assertThat(allocator.acquire(app("e")).id()).isEqualTo(257);
    assertThat(allocator.acquire(app("f")).id()).isEqualTo(c.id() + 1);
  }

  @Test
  void reservedIdentitiesExistAndAreNeverReleased() {
    Identity host = allocator.acquire(Labels.of(Label.reserved("host")));

    assertThat(host.id()).isEqualTo(1);
    assertThat(allocator.lookup(2))
        .hasValueSatisfying(
            w -> assertThat(w.labels()).isEqualTo(Labels.of(Label.reserved("world"))));
    assertThat(allocator.release(host)).isFalse();
    assertThat(allocator.release(host)).isFalse();
    assertThat(allocator.lookup(1)).contains(host);
    assertThat(allocator.all())
        .extracting(Identity::id)
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  }

  @Test
  void kubeApiserverLabelsMapToSeven() {
    assertThat(
            allocator
                .acquire(Labels.of(Label.reserved("remote-node"), Label.reserved("kube-apiserver")))
                .id())
        .isEqualTo(7);
    assertThat(allocator.acquire(Labels.of(Label.reserved("remote-node"))).id()).isEqualTo(6);
  }

  @Test
  void restoreKeepsIdsAndReleaseUnreferencedDropsTheOnesNobodyTookAgain() {
    LocalIdentityAllocator restarted = new LocalIdentityAllocator();
    restarted.restore(300, app("web"));
    restarted.restore(260, app("db"));

    // the web pod comes back; db does not
    Identity web = restarted.acquire(app("web"));
    List<Identity> gone = restarted.releaseUnreferenced();

    assertThat(web.id()).isEqualTo(300);
    assertThat(gone).extracting(Identity::id).containsExactly(260);
    assertThat(restarted.lookup(260)).isEmpty();
    assertThat(restarted.lookup(app("db"))).isEmpty();
    assertThat(restarted.lookup(300)).contains(web);
    assertThat(restarted.references(300)).isEqualTo(1);
    assertThat(restarted.acquire(app("new")).id()).isEqualTo(256);
    assertThat(restarted.releaseUnreferenced()).isEmpty();
  }

  @Test
  void restoredIdsAreSkippedByAllocation() {
    allocator.restore(256, app("web"));
    allocator.restore(258, app("db"));

    assertThat(allocator.acquire(app("x")).id()).isEqualTo(257);
    assertThat(allocator.acquire(app("y")).id()).isEqualTo(259);
  }

  @Test
  void restoreConflicts() {
    allocator.restore(300, app("web"));

    assertThat(allocator.restore(300, app("web")).id()).isEqualTo(300);
    assertThatIllegalStateException()
        .isThrownBy(() -> allocator.restore(301, app("web")))
        .withMessageContaining("300");
    assertThatIllegalStateException().isThrownBy(() -> allocator.restore(300, app("db")));
    assertThatIllegalStateException()
        .isThrownBy(() -> allocator.restore(1, app("db")))
        .as("a reserved id cannot be restored with other labels");
  }

  @Test
  void exhaustion() {
    LocalIdentityAllocator small = new LocalIdentityAllocator(256, 258);
    small.acquire(app("a"));
    small.acquire(app("b"));
    Identity c = small.acquire(app("c"));

    assertThatIllegalStateException()
        .isThrownBy(() -> small.acquire(app("d")))
        .withMessageContaining("no free identity")
        .withMessageContaining("3");
    // an existing label set still resolves when full
    assertThat(small.acquire(app("a")).id()).isEqualTo(256);
    small.release(c);
    assertThat(small.acquire(app("d")).id()).isEqualTo(258);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 42})
  void randomAcquireReleaseMatchesAReferenceCountingModel(long seed) {
    Random rnd = new Random(seed);
    java.util.Map<Labels, int[]> model = new java.util.HashMap<>(); // labels -> {id, refs}
    List<Labels> held = new ArrayList<>();
    for (int step = 0; step < 500; step++) {
      if (held.isEmpty() || rnd.nextInt(5) < 3) {
        Labels l = app("a" + rnd.nextInt(30));
        int[] m = model.get(l);
        int expectedId;
        if (m != null) {
          expectedId = m[0];
          m[1]++;
        } else {
          TreeSet<Integer> used = new TreeSet<>();
          model.values().forEach(v -> used.add(v[0]));
          expectedId = 256;
          while (used.contains(expectedId)) {
            expectedId++;
          }
          model.put(l, new int[] {expectedId, 1});
        }
        assertThat(allocator.acquire(l).id()).as("step %d", step).isEqualTo(expectedId);
        held.add(l);
      } else {
        Labels l = held.remove(rnd.nextInt(held.size()));
        int[] m = model.get(l);
        boolean last = --m[1] == 0;
        if (last) {
          model.remove(l);
        }
        Identity identity = new Identity(m[0], l);
        assertThat(allocator.release(identity)).as("step %d", step).isEqualTo(last);
      }
      for (var e : model.entrySet()) {
        assertThat(allocator.references(e.getValue()[0])).isEqualTo(e.getValue()[1]);
      }
    }
    assertThat(allocator.all()).hasSize(10 + model.size());
  }
}
