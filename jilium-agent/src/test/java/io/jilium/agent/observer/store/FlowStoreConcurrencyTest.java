package io.jilium.agent.observer.store;

import static io.jilium.agent.observer.store.TestFlows.flowAt;
import static io.jilium.agent.observer.store.TestFlows.ids;
import static io.jilium.agent.observer.store.TestFlows.readAll;
import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.api.flow.Flow;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlowStoreConcurrencyTest {
  @TempDir Path dir;

  /**
   * Readers run while one thread appends, flushes and rotates segments. Every read must return a
   * contiguous run of flows in append order. Without deletions it starts at the first flow and
   * includes everything flushed before the read started; with a small size cap, segments are
   * deleted under the readers' feet (a segment deleted during a query is legitimately missing from
   * it, so only contiguity is checked then).
   */
  @ParameterizedTest(name = "size cap deletes segments: {0}")
  @ValueSource(booleans = {false, true})
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void readersSeeConsistentDataWhileOneThreadWrites(boolean churn) throws Exception {
    int total = 20_000;
    FlowStore.Limits limits =
        new FlowStore.Limits(
            churn ? 256 * 1024 : 1L << 30,
            16 * 1024,
            Duration.ZERO,
            1024,
            Duration.ofMillis(5), // the flush thread races the writer too
            Duration.ofMillis(50),
            FlowStore.Compression.DEFLATE);
    try (FlowStore store = FlowStore.open(dir, limits)) {
      AtomicLong flushedUpTo = new AtomicLong(-1); // highest id flushed (by the writer)
      AtomicBoolean done = new AtomicBoolean();
      CountDownLatch readersStarted = new CountDownLatch(2);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        Future<?> writer =
            pool.submit(
                () -> {
                  readersStarted.await();
                  for (int i = 0; i < total; i++) {
                    store.append(flowAt(i, 1));
                    if (i % 1_000 == 999) {
                      store.flush();
                      flushedUpTo.set(i);
                    }
                  }
                  store.flush();
                  flushedUpTo.set(total - 1);
                  done.set(true);
                  return null;
                });
        List<Future<Integer>> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          boolean newest = r == 1;
          readers.add(
              pool.submit(
                  () -> {
                    readersStarted.countDown();
                    int rounds = 0;
                    while (!done.get() || rounds < 3) {
                      long mustSee = flushedUpTo.get();
                      List<Long> got =
                          newest
                              ? ids(store.readNewest(500, Instant.EPOCH, Instant.MAX, f -> true))
                              : ids(readAll(store));
                      if (!got.isEmpty()) {
                        long first = got.getFirst();
                        assertThat(got)
                            .isEqualTo(
                                LongStream.range(first, first + got.size()).boxed().toList());
                        if (!churn) {
                          assertThat(got.getLast()).isGreaterThanOrEqualTo(mustSee);
                          if (!newest) {
                            assertThat(first).isZero();
                          }
                        }
                      } else if (!churn) {
                        assertThat(mustSee).isEqualTo(-1);
                      }
                      rounds++;
                    }
                    return rounds;
                  }));
        }
        writer.get();
        for (Future<Integer> r : readers) {
          assertThat(r.get()).isGreaterThanOrEqualTo(3);
        }
      } finally {
        pool.shutdownNow();
      }
      List<Flow> all = readAll(store);
      assertThat(TestFlows.id(all.getLast())).isEqualTo(total - 1);
      assertThat(all.size()).isEqualTo(churn ? (int) store.stats().flowsStored() : total);
      assertThat(store.stats().flowsDropped()).isZero();
      assertThat(store.stats().corruptBlocks()).isZero();
    }
  }
}
