package io.jilium.agent.observer.store;

import static io.jilium.agent.observer.store.TestFlows.flows;
import static io.jilium.agent.observer.store.TestFlows.ids;
import static io.jilium.agent.observer.store.TestFlows.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class FlowStoreFailureTest {
  @TempDir Path dir;

  @Test
  void aFullDiskDropsAndCountsFlowsAndWritingResumesAfterwards() throws Exception {
    AtomicBoolean full = new AtomicBoolean();
    FlowStore.ChannelOpener opener =
        (path, options) -> {
          if (full.get() && Arrays.asList(options).contains(StandardOpenOption.CREATE_NEW)) {
            throw new IOException("No space left on device");
          }
          return new FailingFileChannel(FileChannel.open(path, options), full::get);
        };
    List<Long> expected =
        Stream.concat(LongStream.range(0, 100).boxed(), LongStream.range(300, 400).boxed())
            .toList();
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small(), opener)) {
      flows(0, 100, 1_000).forEach(store::append);
      store.flush();
      full.set(true);
      // Enough for several blocks and a rotation while the disk is full; nothing throws.
      flows(100, 300, 1_000).forEach(store::append);
      store.flush();
      FlowStore.Stats s = store.stats();
      assertThat(s.flowsDropped()).isEqualTo(200);
      assertThat(s.writeFailures()).isGreaterThanOrEqualTo(2);
      assertThat(s.flowsAppended()).isEqualTo(300);
      full.set(false);
      flows(300, 400, 1_000).forEach(store::append);
      store.flush();
      assertThat(ids(readAll(store))).isEqualTo(expected);
      assertThat(store.stats().flowsDropped()).isEqualTo(200);
    }
    // What the failed writes left behind does not check and was cut; no flow is lost beyond them.
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small())) {
      assertThat(store.recovery().bytesDropped()).isZero();
      assertThat(ids(readAll(store))).isEqualTo(expected);
    }
  }

  /** A disk that stops answering must not stall the writer (the datapath's event reader). */
  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void aStalledDiskNeverBlocksTheWriterAndTheOverflowIsCounted() throws Exception {
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean stall = new AtomicBoolean();
    FlowStore.ChannelOpener opener =
        (path, options) ->
            new FailingFileChannel(
                FileChannel.open(path, options),
                () -> false,
                () -> {
                  if (stall.get()) {
                    stalled.countDown();
                    try {
                      release.await();
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                });
    try (FlowStore store = FlowStore.open(dir, FlowStoreTest.small(), opener)) {
      flows(0, 100, 1).forEach(store::append);
      store.flush();
      stall.set(true);
      store.append(TestFlows.flowAt(100, 1));
      Thread writer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    // Appends while the disk hangs: more than maxPendingBytes of flows.
                    long bytes = 0;
                    for (int i = 101; bytes < 2 * store.maxPendingBytes(); i++) {
                      // Big flows (~10 KB) get there quickly.
                      var f =
                          TestFlows.flowAt(i, 1).toBuilder()
                              .addAllSourceNames(Collections.nCopies(700, "x.example.com"))
                              .build();
                      store.append(f);
                      bytes += f.getSerializedSize();
                    }
                  });
      writer.join(); // returns although the disk never answered
      assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();
      FlowStore.Stats during = store.stats();
      assertThat(during.flowsDropped()).isGreaterThan(0);
      release.countDown();
      stall.set(false);
      store.flush();
      FlowStore.Stats after = store.stats();
      assertThat(after.flowsStored() + after.flowsDropped()).isEqualTo(after.flowsAppended());
      List<Long> ids = ids(readAll(store));
      assertThat(ids).startsWith(LongStream.range(0, 101).boxed().toArray(Long[]::new));
      assertThat(ids).hasSize((int) after.flowsStored());
    }
  }

  @Test
  void anUnusableDirectoryFailsOpenWithTheFileAndOperation() throws Exception {
    Path file = dir.resolve("not-a-dir");
    Files.writeString(file, "x");
    assertThatThrownBy(() -> FlowStore.open(file.resolve("flows"), FlowStoreTest.small()))
        .isInstanceOf(FlowStoreException.class)
        .hasMessageStartingWith("flow store " + file.resolve("flows") + ": create directory: ");
  }
}
