package io.jilium.agent.observer.store;

import static io.jilium.agent.observer.store.TestFlows.T0;
import static io.jilium.agent.observer.store.TestFlows.flowAt;
import static io.jilium.agent.observer.store.TestFlows.flows;
import static io.jilium.agent.observer.store.TestFlows.ids;
import static io.jilium.agent.observer.store.TestFlows.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.api.flow.Flow;
import io.jilium.api.flow.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FlowStoreTest {
  @TempDir Path dir;

  /** Small segments and blocks, and no background flush, so layouts are deterministic. */
  static FlowStore.Limits small() {
    return new FlowStore.Limits(
        1L << 30,
        8 * 1024,
        Duration.ZERO,
        1024,
        Duration.ofHours(1),
        Duration.ofSeconds(10),
        FlowStore.Compression.DEFLATE);
  }

  @ParameterizedTest
  @EnumSource(FlowStore.Compression.class)
  void roundTrip(FlowStore.Compression compression) {
    List<Flow> in = flows(0, 2_000, 10);
    try (FlowStore store = FlowStore.open(dir, small().withCompression(compression))) {
      in.forEach(store::append);
      store.flush();
      assertThat(readAll(store)).isEqualTo(in);
      FlowStore.Stats s = store.stats();
      assertThat(s.flowsAppended()).isEqualTo(2_000);
      assertThat(s.flowsStored()).isEqualTo(2_000);
      assertThat(s.segments()).isGreaterThan(1);
      assertThat(s.oldest()).contains(T0);
      assertThat(s.newest()).contains(T0.plusMillis(1_999 * 10));
      assertThat(s.flowsDropped()).isZero();
    }
  }

  @Test
  void compressionShrinksTypicalFlows() throws Exception {
    List<Flow> in = flows(0, 5_000, 10);
    long raw = in.stream().mapToLong(Flow::getSerializedSize).sum();
    try (FlowStore store = FlowStore.open(dir, FlowStore.Limits.defaults())) {
      in.forEach(store::append);
      store.flush();
      assertThat(store.stats().bytesOnDisk()).isLessThan(raw / 3);
      assertThat(readAll(store)).isEqualTo(in);
    }
  }

  @Test
  void unflushedFlowsAreInvisibleUntilFlush() {
    try (FlowStore store = FlowStore.open(dir, small())) {
      store.append(flowAt(0, 1));
      assertThat(readAll(store)).isEmpty();
      store.flush();
      assertThat(ids(readAll(store))).containsExactly(0L);
    }
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void backgroundFlushMakesFlowsVisible() throws Exception {
    try (FlowStore store = FlowStore.open(dir, small().withFlushInterval(Duration.ofMillis(20)))) {
      store.append(flowAt(0, 1));
      while (readAll(store).isEmpty()) {
        Thread.sleep(5); // polling a condition with the test's timeout as the bound
      }
      assertThat(ids(readAll(store))).containsExactly(0L);
    }
  }

  @Test
  void timeRangeQueriesAcrossManySegments() {
    List<Flow> in = flows(0, 10_000, 1_000); // one flow per second, ~2.8 h
    try (FlowStore store = FlowStore.open(dir, small())) {
      in.forEach(store::append);
      store.flush();
      assertThat(store.stats().segments()).isGreaterThan(50);
      Random rnd = new Random(7);
      for (int q = 0; q < 100; q++) {
        long a = rnd.nextLong(-100, 10_100);
        long b = a + rnd.nextLong(0, 3_000);
        Instant since = T0.plusSeconds(a);
        Instant until = T0.plusSeconds(b);
        List<Flow> got = new ArrayList<>();
        FlowStore.ReadStats rs = store.read(since, until, got::add);
        List<Long> expected =
            LongStream.range(Math.max(0, a), Math.min(10_000, b + 1)).boxed().toList();
        assertThat(ids(got)).as("query %s..%s", a, b).isEqualTo(expected);
        assertThat(rs.flows()).isEqualTo(expected.size());
      }
    }
  }

  @Test
  void queryForTheLastMinuteReadsOnlyTheLastBlocks() {
    try (FlowStore store = FlowStore.open(dir, small())) {
      flows(0, 10_000, 1_000).forEach(store::append);
      store.flush();
      int segments = store.stats().segments();
      Instant end = T0.plusSeconds(9_999);
      FlowStore.ReadStats rs = store.read(end.minusSeconds(59), end, f -> true);
      assertThat(rs.flows()).isEqualTo(60);
      assertThat(rs.segmentsRead()).isLessThanOrEqualTo(2);
      assertThat(rs.segmentsSkipped()).isGreaterThanOrEqualTo(segments - 2);
      // 60 flows of ~190 bytes in 1 KiB blocks: a dozen blocks, not the store's thousands.
      assertThat(rs.blocksRead()).isLessThan(20);
    }
  }

  /** Flows arrive slightly out of order across CPUs; the index must hold true minima and maxima. */
  @Test
  void outOfOrderFlowsAreFoundByTheirOwnTime() {
    try (FlowStore store = FlowStore.open(dir, small())) {
      flows(0, 2_000, 1_000).forEach(store::append);
      Flow late = TestFlows.flow(9_999, T0.minusSeconds(3_600)); // an hour older than all others
      store.append(late);
      flows(2_000, 2_100, 1_000).forEach(store::append);
      store.flush();
      List<Flow> got = new ArrayList<>();
      FlowStore.ReadStats rs = store.read(T0.minusSeconds(3_601), T0.minusSeconds(3_599), got::add);
      assertThat(got).containsExactly(late);
      assertThat(rs.blocksRead()).isEqualTo(1);
      assertThat(store.stats().oldest()).contains(T0.minusSeconds(3_600));
      assertThat(ids(store.readNewest(101, Instant.EPOCH, Instant.MAX, f -> true)))
          .startsWith(9_999L, 2_000L);
    }
  }

  @Test
  void readStopsWhenTheConsumerSaysSo() {
    try (FlowStore store = FlowStore.open(dir, small())) {
      flows(0, 1_000, 10).forEach(store::append);
      store.flush();
      List<Flow> got = new ArrayList<>();
      FlowStore.ReadStats rs =
          store.read(
              Instant.EPOCH,
              Instant.MAX,
              f -> {
                got.add(f);
                return got.size() < 5;
              });
      assertThat(ids(got)).containsExactly(0L, 1L, 2L, 3L, 4L);
      assertThat(rs.stopped()).isTrue();
      assertThat(rs.blocksRead()).isEqualTo(1);
    }
  }

  @Test
  void readNewestReturnsTheLastNOldestFirst() {
    try (FlowStore store = FlowStore.open(dir, small())) {
      flows(0, 5_000, 1_000).forEach(store::append);
      store.flush();
      Instant end = Instant.MAX;
      assertThat(ids(store.readNewest(3, Instant.EPOCH, end, f -> true)))
          .containsExactly(4_997L, 4_998L, 4_999L);
      // Spanning many blocks and segments.
      assertThat(ids(store.readNewest(700, Instant.EPOCH, end, f -> true)))
          .isEqualTo(LongStream.range(4_300, 5_000).boxed().toList());
      // "Before until" and a filter: the last 4 drops at or before flow 2_345.
      assertThat(
              ids(
                  store.readNewest(
                      4,
                      Instant.EPOCH,
                      T0.plusSeconds(2_345),
                      f -> f.getVerdict() == Verdict.DROPPED)))
          .containsExactly(2_310L, 2_320L, 2_330L, 2_340L);
      // Fewer than n in range.
      assertThat(ids(store.readNewest(100, T0.plusSeconds(10), T0.plusSeconds(12), f -> true)))
          .containsExactly(10L, 11L, 12L);
      assertThat(store.readNewest(0, Instant.EPOCH, end, f -> true)).isEmpty();
      assertThatThrownBy(() -> store.readNewest(-1, Instant.EPOCH, end, f -> true))
          .hasMessage("n: -1 (expected: >= 0)");
    }
  }

  @Test
  void rotationKeepsSegmentsSmallAndTheSizeCapDeletesTheOldest() throws Exception {
    long maxBytes = 64 * 1024;
    long segmentBytes = 8 * 1024;
    FlowStore.Limits limits =
        small()
            .withSegmentBytes(segmentBytes)
            .withMaxBytes(maxBytes)
            .withCompression(FlowStore.Compression.NONE);
    try (FlowStore store = FlowStore.open(dir, limits)) {
      for (int i = 0; i < 5_000; i++) {
        store.append(flowAt(i, 1_000));
        if (i % 97 == 0) {
          store.flush();
          long onDisk = 0;
          for (Path p : TestFlows.segmentFiles(dir)) {
            onDisk += Files.size(p);
          }
          assertThat(onDisk).as("bytes on disk after %s flows", i).isLessThanOrEqualTo(maxBytes);
          assertThat(store.stats().bytesOnDisk()).isEqualTo(onDisk);
        }
      }
      store.flush();
      for (Path p : TestFlows.segmentFiles(dir)) {
        assertThat(Files.size(p)).as("%s", p).isLessThanOrEqualTo(segmentBytes);
      }
      List<Flow> kept = readAll(store);
      FlowStore.Stats s = store.stats();
      assertThat(s.segments()).isBetween(6, 9);
      assertThat(kept).hasSize((int) s.flowsStored());
      // The newest flows are all there, contiguous; the oldest are gone.
      long first = TestFlows.id(kept.getFirst());
      assertThat(first).isGreaterThan(3_000);
      assertThat(ids(kept)).isEqualTo(LongStream.range(first, 5_000).boxed().toList());
      assertThat(s.oldest()).contains(T0.plusSeconds(first));
    }
  }

  @Test
  void maxAgeDeletesSegmentsOfOldFlows() {
    Instant now = Instant.now();
    try (FlowStore store = FlowStore.open(dir, small().withMaxAge(Duration.ofHours(1)))) {
      for (int i = 0; i < 1_000; i++) {
        store.append(TestFlows.flow(i, now.minus(Duration.ofHours(3)).plusMillis(i)));
      }
      for (int i = 1_000; i < 2_000; i++) {
        store.append(TestFlows.flow(i, now.plusMillis(i)));
      }
      store.flush();
      List<Flow> kept = readAll(store);
      assertThat(kept).isNotEmpty();
      assertThat(ids(kept)).allMatch(i -> i >= 900); // at most the one mixed segment survives
      assertThat(ids(kept)).contains(1_999L);
      assertThat(store.stats().oldest().orElseThrow()).isAfter(now.minus(Duration.ofHours(4)));
    }
  }

  @Test
  void aFlowLargerThanABlockGetsABlockOfItsOwn() {
    Flow big =
        flowAt(1, 1).toBuilder()
            .addAllSourceNames(Collections.nCopies(200, "x.example.com"))
            .build();
    try (FlowStore store = FlowStore.open(dir, small())) {
      store.append(flowAt(0, 1));
      store.append(big);
      store.append(flowAt(2, 1));
      store.flush();
      assertThat(big.getSerializedSize()).isGreaterThan(1024);
      assertThat(readAll(store)).containsExactly(flowAt(0, 1), big, flowAt(2, 1));
    }
  }

  @Test
  void aFlowWithoutTimeIsStampedOnAppend() {
    Instant before = Instant.now();
    try (FlowStore store = FlowStore.open(dir, small())) {
      store.append(flowAt(0, 1).toBuilder().clearTime().build());
      store.flush();
      Flow f = readAll(store).getFirst();
      assertThat(TestFlows.time(f)).isBetween(before, Instant.now());
    }
  }

  @Test
  void oneStorePerDirectory() {
    try (FlowStore store = FlowStore.open(dir, small())) {
      assertThat(store.directory()).isEqualTo(dir);
      assertThatThrownBy(() -> FlowStore.open(dir, small()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is in use");
    }
    FlowStore.open(dir, small()).close(); // free again after close
  }

  @Test
  void closedStoreRefusesWork() {
    FlowStore store = FlowStore.open(dir, small());
    store.close();
    store.close(); // idempotent
    assertThatThrownBy(() -> store.append(flowAt(0, 1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
    assertThatThrownBy(() -> readAll(store)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void limitsAreValidated() {
    FlowStore.Limits d = FlowStore.Limits.defaults();
    assertThatThrownBy(() -> d.withMaxBytes(1_000))
        .hasMessage("maxBytes: 1000 (expected: >= segmentBytes 67108864)");
    assertThatThrownBy(() -> d.withSegmentBytes(100))
        .hasMessage("segmentBytes: 100 (expected: >= 4096)");
    assertThatThrownBy(() -> d.withBlockBytes(10))
        .hasMessage("blockBytes: 10 (expected: 256-67108864)");
    assertThatThrownBy(() -> d.withMaxAge(Duration.ofSeconds(-1)))
        .hasMessageStartingWith("maxAge: PT-1S");
    assertThatThrownBy(() -> d.withFlushInterval(Duration.ZERO))
        .hasMessage("flushInterval: PT0S (expected: > 0)");
    assertThat(FlowStore.Limits.forMaxBytes(100L << 20).segmentBytes()).isEqualTo(6_553_600);
    assertThat(FlowStore.Limits.forMaxBytes(10L << 30).segmentBytes()).isEqualTo(64L << 20);
    assertThat(FlowStore.Limits.forMaxBytes(8192))
        .satisfies(l -> assertThat(l.segmentBytes()).isEqualTo(4096))
        .satisfies(l -> assertThat(l.blockBytes()).isEqualTo(4096));
    assertThatThrownBy(() -> FlowStore.Limits.forMaxBytes(100))
        .hasMessage("maxBytes: 100 (expected: >= 4096)");
    assertThat(d.maxBytes()).isEqualTo(1L << 30);
    assertThat(d.segmentBytes()).isEqualTo(64L << 20);
  }
}
