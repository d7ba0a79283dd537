package io.jilium.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * An index n in 1..254 held with a file lock under /run/jilium-it, so that test fixtures of every
 * JVM on this host (two test runs may overlap) pick different addresses and names. The lock goes
 * with the JVM, so a run that dies leaves no claim behind, only perhaps the links and routes it
 * made: {@code usable} rejects an index whose resources are still there.
 */
final class HostIndexClaim implements AutoCloseable {
  private static final Path CLAIMS = Path.of("/run/jilium-it");

  private final int index;
  private final FileChannel channel;
  private final FileLock lock;

  private HostIndexClaim(int index, FileChannel channel, FileLock lock) {
    this.index = index;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Claims a free index of this kind (in random order, so that concurrent runs rarely contend) for
   * which {@code usable} holds.
   */
  static HostIndexClaim claim(String kind, IntPredicate usable) {
    List<Integer> order = new ArrayList<>();
    for (int i = 1; i <= 254; i++) {
      order.add(i);
    }
    Collections.shuffle(order);
    try {
      Files.createDirectories(CLAIMS);
      for (int n : order) {
        FileChannel ch =
            FileChannel.open(
                CLAIMS.resolve(kind + "-" + n + ".lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
          lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
          lock = null; // held by another fixture in this JVM
        }
        if (lock == null) {
          ch.close();
          continue;
        }
        if (!usable.test(n)) {
          lock.release();
          ch.close();
          continue;
        }
        return new HostIndexClaim(n, ch, lock);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("claiming a " + kind + " index under " + CLAIMS, e);
    }
    throw new AssertionError("no free " + kind + " index (all 254 claimed or in use)");
  }

  int index() {
    return index;
  }

  /** Releases the claim; idempotent. */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
      channel.close();
    } catch (IOException e) {
      throw new UncheckedIOException("releasing claim " + index, e);
    }
  }
}
