package io.jilium.agent.observer.store;

import static io.jilium.agent.observer.store.TestFlows.T0;
import static io.jilium.agent.observer.store.TestFlows.copyAsCrashed;
import static io.jilium.agent.observer.store.TestFlows.flowAt;
import static io.jilium.agent.observer.store.TestFlows.flows;
import static io.jilium.agent.observer.store.TestFlows.ids;
import static io.jilium.agent.observer.store.TestFlows.readAll;
import static io.jilium.agent.observer.store.TestFlows.segmentFiles;
import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.api.flow.Flow;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restart, crash, torn writes and corrupt segments. */
class FlowStoreRecoveryTest {
  @TempDir Path dir;
  @TempDir Path crashed;

  @Test
  void reopenReadsEverythingAndAppendsToNewSegments() throws Exception {
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      flows(0, 3_000, 1_000).forEach(store::append);
    } // close flushes and seals
    int files = segmentFiles(dir).size();
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      assertThat(store.recovery().clean()).isTrue();
      assertThat(ids(readAll(store))).isEqualTo(LongStream.range(0, 3_000).boxed().toList());
      assertThat(store.stats().flowsStored()).isEqualTo(3_000);
      assertThat(store.stats().oldest()).contains(T0);
      flows(3_000, 3_100, 1_000).forEach(store::append);
      store.flush();
      assertThat(ids(readAll(store))).isEqualTo(LongStream.range(0, 3_100).boxed().toList());
      assertThat(segmentFiles(dir)).hasSizeGreaterThan(files);
    }
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      assertThat(store.readNewest(2, Instant.EPOCH, Instant.MAX, f -> true))
          .containsExactly(flowAt(3_098, 1_000), flowAt(3_099, 1_000));
    }
  }

  @Test
  void crashLeavesAnUnsealedSegmentThatIsRecoveredWhole() throws Exception {
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      flows(0, 500, 1_000).forEach(store::append);
      store.flush();
      copyAsCrashed(dir, crashed);
    }
    try (FlowStore store = FlowStore.open(crashed, FlowStoreTest.small())) {
      FlowStore.Recovery r = store.recovery();
      assertThat(r.segmentsRecovered()).isEqualTo(1);
      assertThat(r.bytesDropped()).isZero();
      assertThat(ids(readAll(store))).isEqualTo(LongStream.range(0, 500).boxed().toList());
    }
    // Sealed by the recovery: the next open finds nothing to repair.
    try (FlowStore store = FlowStore.open(crashed, FlowStoreTest.small())) {
      assertThat(store.recovery().clean()).isTrue();
    }
  }

  @Test
  void syncWritesEverythingAppendedSoFar() throws Exception {
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      flows(0, 123, 1_000).forEach(store::append);
      store.sync(); // no flush() before: sync includes it
      copyAsCrashed(dir, crashed);
    }
    try (FlowStore store = FlowStore.open(crashed, FlowStoreTest.small())) {
      assertThat(store.recovery().bytesDropped()).isZero();
      assertThat(ids(readAll(store))).isEqualTo(LongStream.range(0, 123).boxed().toList());
    }
  }

  @Test
  void aTornLastRecordIsTruncatedAwayAndTheStoreGoesOn() throws Exception {
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      flows(0, 500, 1_000).forEach(store::append);
      store.flush();
      copyAsCrashed(dir, crashed);
    }
    Path last = segmentFiles(crashed).getLast();
    long size = Files.size(last);
    // Cut the last block in the middle of its payload, as a crash during write(2) would.
    try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
      ch.truncate(size - 100);
    }
    List<Long> before;
    try (FlowStore store = FlowStore.open(crashed, FlowStoreTest.small())) {
      FlowStore.Recovery r = store.recovery();
      assertThat(r.segmentsRecovered()).isEqualTo(1);
      assertThat(r.bytesDropped()).isGreaterThan(0).isLessThan(1024 + 40);
      before = ids(readAll(store));
      // Everything up to the torn block survives, in order.
      assertThat(before).isEqualTo(LongStream.range(0, before.size()).boxed().toList());
      assertThat(before.size()).isBetween(480, 499);
      store.append(flowAt(1_000, 1_000));
      store.flush();
      assertThat(ids(readAll(store))).endsWith(1_000L).hasSize(before.size() + 1);
    }
  }

  @Test
  void garbageAfterTheLastBlockIsTruncated() throws Exception {
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      flows(0, 100, 1_000).forEach(store::append);
      store.flush();
      copyAsCrashed(dir, crashed);
    }
    Path last = segmentFiles(crashed).getLast();
    // A block header whose write was torn after 20 bytes.
    Files.write(
        last,
        new byte[] {'J', 'L', 'F', 'B', 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 1},
        StandardOpenOption.APPEND);
    try (FlowStore store = FlowStore.open(crashed, FlowStoreTest.small())) {
      assertThat(store.recovery().bytesDropped()).isEqualTo(20);
      assertThat(ids(readAll(store))).isEqualTo(LongStream.range(0, 100).boxed().toList());
    }
  }

  @Test
  void anEmptyOrHeaderlessSegmentIsRemovedAndAForeignFileSetAside() throws Exception {
    Files.createDirectories(dir);
    Files.write(dir.resolve(StoreFormat.fileName(3)), new byte[5]);
    Files.write(dir.resolve(StoreFormat.fileName(4)), new byte[64]); // not our magic
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      FlowStore.Recovery r = store.recovery();
      assertThat(r.segmentsRecovered()).isEqualTo(1);
      assertThat(r.filesSetAside()).isEqualTo(1);
      assertThat(store.stats().segments()).isZero();
      store.append(flowAt(0, 1));
      store.flush();
      assertThat(readAll(store)).hasSize(1);
    }
    assertThat(dir.resolve(StoreFormat.fileName(4) + ".corrupt")).exists();
    assertThat(segmentFiles(dir)).containsExactly(dir.resolve(StoreFormat.fileName(5)));
  }

  /**
   * The proof that queries skip segments outside their range: a segment whose blocks are garbage
   * (its footer intact, so the store opens normally) makes no difference to a query that does not
   * cover it, while a query that covers it finds the damage.
   */
  @Test
  void segmentsOutsideTheRangeAreNeverRead() throws Exception {
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      flows(0, 5_000, 1_000).forEach(store::append);
    }
    List<Path> files = segmentFiles(dir);
    assertThat(files.size()).isGreaterThan(20);
    // Garble every segment but the last two.
    for (Path p : files.subList(0, files.size() - 2)) {
      garbleBlocks(p);
    }
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      assertThat(store.recovery().clean()).isTrue();
      Instant end = T0.plusSeconds(4_999);
      List<Flow> got = new ArrayList<>();
      FlowStore.ReadStats rs = store.read(end.minusSeconds(30), end, got::add);
      assertThat(ids(got)).isEqualTo(LongStream.range(4_969, 5_000).boxed().toList());
      assertThat(rs.corruptBlocks()).isZero();
      assertThat(rs.segmentsRead()).isBetween(1, 2);
      assertThat(rs.segmentsSkipped()).isEqualTo(files.size() - rs.segmentsRead());
      assertThat(store.readNewest(20, Instant.EPOCH, Instant.MAX, f -> true)).hasSize(20);
      assertThat(store.stats().corruptBlocks()).isZero();

      // Control: covering the garbled segments does find the damage, and skips it.
      List<Flow> all = new ArrayList<>();
      FlowStore.ReadStats full = store.read(Instant.EPOCH, Instant.MAX, all::add);
      assertThat(full.corruptBlocks()).isGreaterThan(0);
      assertThat(store.stats().corruptBlocks()).isEqualTo(full.corruptBlocks());
      assertThat(ids(all)).endsWith(4_999L).doesNotContain(0L);
    }
  }

  /** Overwrites everything between the file header and the footer with random bytes. */
  static void garbleBlocks(Path segment) throws IOException {
    try (FileChannel ch =
        FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      ByteBuffer trailer = ByteBuffer.allocate(8);
      ch.read(trailer, size - 8);
      int footer = trailer.getInt(0);
      byte[] junk = new byte[(int) (size - footer - StoreFormat.FILE_HEADER_BYTES)];
      new Random(segment.hashCode()).nextBytes(junk);
      ch.write(ByteBuffer.wrap(junk), StoreFormat.FILE_HEADER_BYTES);
    }
  }
}
