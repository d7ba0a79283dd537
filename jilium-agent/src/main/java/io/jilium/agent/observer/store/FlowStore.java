package io.jilium.agent.observer.store;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Timestamp;
import io.jilium.agent.observer.store.BlockBuilder.RawBlock;
import io.jilium.agent.observer.store.StoreFormat.CorruptBlockException;
import io.jilium.api.flow.Flow;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hubble flows on disk, beyond the ring buffer and across agent restarts ({@code --flow-store
 * DIR}).
 *
 * <p>Flows go to numbered segment files of at most {@link Limits#segmentBytes()}; the oldest
 * segments are deleted when the store would exceed {@link Limits#maxBytes()} or hold only flows
 * older than {@link Limits#maxAge()}. A segment is a sequence of checksummed blocks of
 * length-delimited {@code flow.Flow} records (exactly protobuf's {@code writeDelimitedTo}),
 * DEFLATE-compressed per block by default, and ends with a footer listing every block's offset and
 * time range. The index of every segment is kept in memory, so a query touches only the blocks
 * whose time range overlaps it.
 *
 * <p>Threads: {@link #append} is called by one writer thread; it only serializes the flow into the
 * block being filled. Full blocks go to the store's own I/O thread ({@code jilium-flow-store},
 * started by {@link #open}, stopped by {@link #close}), which compresses, writes, rotates, deletes
 * and fsyncs, so a slow or full disk never blocks the writer. If the I/O thread falls behind by
 * more than {@link #maxPendingBytes()} of serialized flows, further blocks are dropped and counted
 * rather than queued without bound. {@link #read} and {@link #readNewest} may run concurrently from
 * any threads and see every flow {@link #flush() flushed} before they were called.
 *
 * <p>Durability: a block is handed to the I/O thread when it is full, on {@link #flush()}, and at
 * the latest after {@link Limits#flushInterval()} (1 s by default): a crash of the agent loses at
 * most that much. Segment files are fsynced every {@link Limits#syncInterval()} (10 s) when
 * something was written, when a segment is sealed, and on {@link #close()}; a crash of the machine
 * loses at most that much. There is no fsync per flow or per block.
 *
 * <p>Failures: a write that fails (a full disk, an I/O error) never reaches the writer: the block's
 * flows are dropped and counted ({@link Stats#flowsDropped()}), the failure is logged once, and the
 * next block tries again. A block that fails its checksum when read is skipped and counted ({@link
 * Stats#corruptBlocks()}). A segment left unsealed by a crash is repaired when the store opens: see
 * {@link #recovery()}.
 */
public final class FlowStore implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FlowStore.class);
  private static final String LOCK_FILE = "LOCK";
  private static final String THREAD_NAME = "jilium-flow-store";

  /** Repeated failures (a full disk, a slow disk) are logged at most this often. */
  private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** How block payloads are stored. */
  public enum Compression {
    /** Records as they are. */
    NONE,
    /**
     * Raw DEFLATE (java.util.zip, level 1) per block; blocks that do not shrink are stored as is.
     */
    DEFLATE
  }

  /**
   * Size, age and timing limits of a store.
   *
   * @param maxBytes total size of all segments (default 1 GiB); the oldest segments are deleted to
   *     stay below it
   * @param segmentBytes size at which a segment is sealed and a new one started (default 64 MiB)
   * @param maxAge segments holding only flows older than this are deleted; {@link Duration#ZERO}
   *     (the default) means no age limit
   * @param blockBytes uncompressed size of a block, the unit of writing, compression, checksums and
   *     index entries (default 64 KiB)
   * @param flushInterval longest time an appended flow waits in memory (default 1 s)
   * @param syncInterval longest time written data waits for fsync (default 10 s)
   * @param compression block payload compression (default {@link Compression#DEFLATE})
   */
  public record Limits(
      long maxBytes,
      long segmentBytes,
      Duration maxAge,
      int blockBytes,
      Duration flushInterval,
      Duration syncInterval,
      Compression compression) {
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    public static final int DEFAULT_BLOCK_BYTES = 64 << 10;
    public static final long MIN_SEGMENT_BYTES = 4096;
    public static final int MIN_BLOCK_BYTES = 256;
    public static final int MAX_BLOCK_BYTES = 64 << 20;

    public Limits {
      requireNonNull(maxAge, "maxAge");
      requireNonNull(flushInterval, "flushInterval");
      requireNonNull(syncInterval, "syncInterval");
      requireNonNull(compression, "compression");
      if (segmentBytes < MIN_SEGMENT_BYTES) {
        throw new IllegalArgumentException(
            "segmentBytes: " + segmentBytes + " (expected: >= " + MIN_SEGMENT_BYTES + ")");
      }
      if (maxBytes < segmentBytes) {
        throw new IllegalArgumentException(
            "maxBytes: " + maxBytes + " (expected: >= segmentBytes " + segmentBytes + ")");
      }
      if (blockBytes < MIN_BLOCK_BYTES || blockBytes > MAX_BLOCK_BYTES) {
        throw new IllegalArgumentException(
            "blockBytes: "
                + blockBytes
                + " (expected: "
                + MIN_BLOCK_BYTES
                + "-"
                + MAX_BLOCK_BYTES
                + ")");
      }
      if (blockBytes > segmentBytes) {
        throw new IllegalArgumentException(
            "blockBytes: " + blockBytes + " (expected: <= segmentBytes " + segmentBytes + ")");
      }
      if (maxAge.isNegative()) {
        throw new IllegalArgumentException("maxAge: " + maxAge + " (expected: >= 0, 0 = no limit)");
      }
      if (flushInterval.isNegative() || flushInterval.isZero()) {
        throw new IllegalArgumentException("flushInterval: " + flushInterval + " (expected: > 0)");
      }
      if (syncInterval.isNegative() || syncInterval.isZero()) {
        throw new IllegalArgumentException("syncInterval: " + syncInterval + " (expected: > 0)");
      }
    }

    /** 1 GiB in 64 MiB segments, no age limit, 64 KiB DEFLATE blocks, flush 1 s, fsync 10 s. */
    public static Limits defaults() {
      return new Limits(
          DEFAULT_MAX_BYTES,
          DEFAULT_SEGMENT_BYTES,
          Duration.ZERO,
          DEFAULT_BLOCK_BYTES,
          Duration.ofSeconds(1),
          Duration.ofSeconds(10),
          Compression.DEFLATE);
    }

    /**
     * The defaults for a total of {@code maxBytes}: segments of a sixteenth of it (at most 64 MiB,
     * at least 4 KiB), so deleting the oldest segment frees a small part of the store. For a {@code
     * --flow-store-max-size} flag.
     */
    public static Limits forMaxBytes(long maxBytes) {
      if (maxBytes < MIN_SEGMENT_BYTES) {
        throw new IllegalArgumentException(
            "maxBytes: " + maxBytes + " (expected: >= " + MIN_SEGMENT_BYTES + ")");
      }
      long segment = Math.clamp(maxBytes / 16, MIN_SEGMENT_BYTES, DEFAULT_SEGMENT_BYTES);
      Limits d = defaults();
      return new Limits(
          maxBytes,
          segment,
          d.maxAge(),
          (int) Math.min(DEFAULT_BLOCK_BYTES, segment),
          d.flushInterval(),
          d.syncInterval(),
          d.compression());
    }

    public Limits withMaxBytes(long v) {
      return new Limits(
          v, segmentBytes, maxAge, blockBytes, flushInterval, syncInterval, compression);
    }

    public Limits withSegmentBytes(long v) {
      return new Limits(maxBytes, v, maxAge, blockBytes, flushInterval, syncInterval, compression);
    }

    public Limits withMaxAge(Duration v) {
      return new Limits(
          maxBytes, segmentBytes, v, blockBytes, flushInterval, syncInterval, compression);
    }

    public Limits withBlockBytes(int v) {
      return new Limits(
          maxBytes, segmentBytes, maxAge, v, flushInterval, syncInterval, compression);
    }

    public Limits withFlushInterval(Duration v) {
      return new Limits(maxBytes, segmentBytes, maxAge, blockBytes, v, syncInterval, compression);
    }

    public Limits withSyncInterval(Duration v) {
      return new Limits(maxBytes, segmentBytes, maxAge, blockBytes, flushInterval, v, compression);
    }

    public Limits withCompression(Compression v) {
      return new Limits(maxBytes, segmentBytes, maxAge, blockBytes, flushInterval, syncInterval, v);
    }
  }

  /**
   * A snapshot of the store.
   *
   * @param bytesOnDisk size of all segment files
   * @param segments number of segment files
   * @param flowsStored flows in written blocks (not counting those still buffered)
   * @param flowsAppended flows passed to {@link #append} since open
   * @param flowsDropped appended flows lost to write failures since open
   * @param writeFailures failed writes (blocks, seals, fsyncs) since open
   * @param corruptBlocks blocks skipped by reads because they failed a check, since open
   * @param oldest time of the oldest stored flow
   * @param newest time of the newest stored flow
   */
  public record Stats(
      long bytesOnDisk,
      int segments,
      long flowsStored,
      long flowsAppended,
      long flowsDropped,
      long writeFailures,
      long corruptBlocks,
      Optional<Instant> oldest,
      Optional<Instant> newest) {}

  /**
   * What {@link #open} repaired.
   *
   * @param segmentsRecovered segments that had no valid footer (the agent or machine stopped while
   *     they were written) and were checked block by block and sealed
   * @param bytesDropped bytes cut from their ends: torn or corrupt blocks and everything after them
   * @param filesSetAside files named like segments but without a segment header, renamed to {@code
   *     *.corrupt} and no longer part of the store
   */
  public record Recovery(int segmentsRecovered, long bytesDropped, int filesSetAside) {
    /** Whether the store was closed cleanly (nothing was repaired). */
    public boolean clean() {
      return segmentsRecovered == 0 && bytesDropped == 0 && filesSetAside == 0;
    }
  }

  /**
   * What one query did.
   *
   * @param flows flows in the time range handed to the consumer (or, for {@link #readNewest},
   *     matching the filter)
   * @param segmentsRead segments of which at least one block was read
   * @param segmentsSkipped segments skipped by their time range without being read
   * @param blocksRead blocks read from disk
   * @param corruptBlocks blocks skipped because they failed a check
   * @param stopped whether the consumer ended the query early
   */
  public record ReadStats(
      long flows,
      int segmentsRead,
      int segmentsSkipped,
      long blocksRead,
      long corruptBlocks,
      boolean stopped) {}

  /** Opens files for writing; tests substitute one that fails. */
  @FunctionalInterface
  interface ChannelOpener {
    FileChannel open(Path path, OpenOption... options) throws IOException;
  }

  private final Path dir;
  private final Limits limits;
  private final ChannelOpener opener;
  private final FileChannel lockChannel;
  private final FileLock fileLock;
  private final Recovery recovery;
  private final long maxPendingBytes;
  private final ScheduledThreadPoolExecutor io;
  private volatile Thread ioThread;
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong writeFailures = new AtomicLong();
  private final AtomicLong corruptBlocks = new AtomicLong();
  private final Set<Long> corruptLogged = ConcurrentHashMap.newKeySet();

  /**
   * Oldest first; the last one is {@link #active} while there is one. Written by the I/O thread.
   */
  private volatile List<Segment> segments;

  private volatile boolean closed;

  // The writer's side, guarded by appendLock.
  private final ReentrantLock appendLock = new ReentrantLock();
  private final BlockBuilder builder;
  private long appended;
  private long overflowLoggedNanos = System.nanoTime() - LOG_INTERVAL_NANOS;

  // The I/O thread's state.
  private final BlockEncoder encoder;
  private volatile Segment active;
  private FileChannel activeChannel;
  private long nextSeq;
  private boolean failing;
  private boolean failureLogged;
  private long failureLoggedNanos = System.nanoTime() - LOG_INTERVAL_NANOS;
  private boolean dirty;
  private boolean dirDirty;
  private long lastSyncNanos = System.nanoTime();
  private boolean deleteFailureLogged;

  private FlowStore(
      Path dir,
      Limits limits,
      ChannelOpener opener,
      FileChannel lockChannel,
      FileLock fileLock,
      List<Segment> segments,
      long nextSeq,
      Recovery recovery) {
    this.dir = dir;
    this.limits = limits;
    this.opener = opener;
    this.lockChannel = lockChannel;
    this.fileLock = fileLock;
    this.segments = List.copyOf(segments);
    this.nextSeq = nextSeq;
    this.recovery = recovery;
    this.maxPendingBytes = Math.max(16L << 20, 4L * limits.blockBytes());
    this.builder = new BlockBuilder(limits.blockBytes());
    this.encoder = new BlockEncoder(limits.compression());
    this.io =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = Thread.ofPlatform().name(THREAD_NAME).daemon(true).unstarted(r);
              ioThread = t;
              return t;
            });
  }

  /**
   * Opens (creating if needed) the store in {@code dir}, repairs a segment that a crash left
   * unsealed, and starts the store's I/O thread. One store per directory: a second open, in this or
   * another process, fails while the first is open.
   *
   * @throws FlowStoreException when the directory or a segment cannot be read or written
   * @throws IllegalStateException when the directory is in use
   */
  public static FlowStore open(Path dir, Limits limits) {
    return open(dir, limits, FileChannel::open);
  }

  static FlowStore open(Path dir, Limits limits, ChannelOpener opener) {
    requireNonNull(dir, "dir");
    requireNonNull(limits, "limits");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new FlowStoreException(dir, "create directory", e);
    }
    Path lockPath = dir.resolve(LOCK_FILE);
    FileChannel lockChannel;
    try {
      lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new FlowStoreException(lockPath, "open lock file", e);
    }
    boolean handedOver = false;
    try {
      FileLock fileLock;
      try {
        fileLock = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        fileLock = null;
      } catch (IOException e) {
        throw new FlowStoreException(lockPath, "lock", e);
      }
      if (fileLock == null) {
        throw new IllegalStateException(
            "flow store " + dir + " is in use (locked through " + lockPath + ")");
      }
      List<Segment> segments = new ArrayList<>();
      int recovered = 0;
      long bytesDropped = 0;
      int setAside = 0;
      long nextSeq = 0;
      try (BlockReader reader = new BlockReader()) {
        for (SegmentFile file : segmentFiles(dir)) {
          nextSeq = Math.max(nextSeq, file.seq() + 1);
          SegmentLoader.Loaded l = SegmentLoader.load(file.path(), file.seq(), reader);
          if (l.recovered()) {
            recovered++;
          }
          bytesDropped += l.bytesDropped();
          if (l.setAside()) {
            setAside++;
          }
          if (l.segment() != null) {
            segments.add(l.segment());
          }
        }
      }
      Recovery recovery = new Recovery(recovered, bytesDropped, setAside);
      FlowStore store =
          new FlowStore(dir, limits, opener, lockChannel, fileLock, segments, nextSeq, recovery);
      handedOver = true;
      store.start();
      return store;
    } finally {
      if (!handedOver) {
        try {
          lockChannel.close();
        } catch (IOException e) {
          LOG.atDebug().setCause(e).log("closing the flow store lock file failed");
        }
      }
    }
  }

  private record SegmentFile(long seq, Path path) {}

  private static List<SegmentFile> segmentFiles(Path dir) {
    List<SegmentFile> files = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        long seq = StoreFormat.parseSeq(p.getFileName().toString());
        if (seq >= 0) {
          files.add(new SegmentFile(seq, p));
        }
      }
    } catch (IOException e) {
      throw new FlowStoreException(dir, "list segments", e);
    }
    files.sort(Comparator.comparingLong(SegmentFile::seq));
    return files;
  }

  private void start() {
    Stats s = stats();
    LOG.atInfo()
        .addKeyValue("dir", dir)
        .addKeyValue("segments", s.segments())
        .addKeyValue("bytes", s.bytesOnDisk())
        .addKeyValue("flows", s.flowsStored())
        .log("flow store opened");
    Recovery r = recovery;
    if (!r.clean()) {
      LOG.atWarn()
          .addKeyValue("dir", dir)
          .addKeyValue("segmentsRecovered", r.segmentsRecovered())
          .addKeyValue("bytesDropped", r.bytesDropped())
          .addKeyValue("filesSetAside", r.filesSetAside())
          .log("flow store was not closed cleanly: torn data truncated");
    }
    long interval = limits.flushInterval().toNanos();
    io.scheduleWithFixedDelay(this::tick, interval, interval, TimeUnit.NANOSECONDS);
  }

  /** The directory of this store. */
  public Path directory() {
    return dir;
  }

  public Limits limits() {
    return limits;
  }

  /** What {@link #open} repaired. */
  public Recovery recovery() {
    return recovery;
  }

  /**
   * Serialized flows that may wait for the I/O thread (16 MiB, or four blocks if that is more);
   * blocks beyond that are dropped and counted.
   */
  public long maxPendingBytes() {
    return maxPendingBytes;
  }

  /**
   * Adds a flow. Called by one writer thread; costs one protobuf serialization into memory (no I/O,
   * no compression). A flow without {@code time} is stored with the current time, so the index and
   * the record agree.
   *
   * @throws IllegalStateException when the store is closed
   */
  public void append(Flow flow) {
    requireNonNull(flow, "flow");
    if (!flow.hasTime()) {
      Instant now = Instant.now();
      flow =
          flow.toBuilder()
              .setTime(
                  Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
              .build();
    }
    long time = timeNanos(flow);
    int size = flow.getSerializedSize();
    appendLock.lock();
    try {
      ensureOpen();
      if (!builder.fits(size)) {
        handOff();
      }
      builder.add(flow, size, time);
      appended++;
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Writes every flow appended so far to the OS and returns when queries see them. Any thread but
   * the store's own may call it.
   */
  public void flush() {
    appendLock.lock();
    try {
      ensureOpen();
      handOff();
    } finally {
      appendLock.unlock();
    }
    onIoThread(() -> {});
  }

  /** {@link #flush()}, then fsync the segment being written. */
  public void sync() {
    flush();
    onIoThread(this::syncNow);
  }

  /**
   * Hands every stored flow with {@code since <= time <= until} to {@code consumer}, oldest first
   * (in append order), until it returns false. Segments and blocks whose time range lies outside
   * the query are not read.
   *
   * @throws FlowStoreException when a segment cannot be read (corrupt blocks are skipped instead)
   */
  public ReadStats read(Instant since, Instant until, Predicate<? super Flow> consumer) {
    requireNonNull(since, "since");
    requireNonNull(until, "until");
    requireNonNull(consumer, "consumer");
    ensureOpen();
    long lo = toNanos(since);
    long hi = toNanos(until);
    Query q = new Query(lo, hi);
    if (lo > hi) {
      return q.stats(false);
    }
    List<Segment> hits = new ArrayList<>();
    List<BlockIndex> indexes = new ArrayList<>();
    for (Segment s : segments) {
      BlockIndex idx = s.index();
      if (idx.overlaps(lo, hi)) {
        hits.add(s);
        indexes.add(idx);
      } else {
        q.segmentsSkipped++;
      }
    }
    // Open every file first, newest to oldest: the size cap deletes oldest first, so when one is
    // gone all older ones are too, and the files held open stay readable whatever is deleted
    // meanwhile. The result is always one contiguous run of flows.
    FileChannel[] channels = new FileChannel[hits.size()];
    try (BlockReader reader = new BlockReader()) {
      for (int i = hits.size() - 1; i >= 0; i--) {
        channels[i] = q.open(hits.get(i));
        if (channels[i] == null) {
          break;
        }
      }
      for (int i = 0; i < hits.size(); i++) {
        if (channels[i] == null) {
          continue;
        }
        boolean more =
            q.visit(
                hits.get(i),
                indexes.get(i),
                channels[i],
                false,
                reader,
                r ->
                    r.forEach(
                        (flow, t) -> {
                          if (t < lo || t > hi) {
                            return true;
                          }
                          q.flows++;
                          return consumer.test(flow);
                        }));
        if (!more) {
          return q.stats(true);
        }
      }
    } finally {
      for (int i = 0; i < channels.length; i++) {
        if (channels[i] != null) {
          closeQuietly(channels[i], hits.get(i).path());
        }
      }
    }
    return q.stats(false);
  }

  /**
   * The newest {@code n} stored flows with {@code since <= time <= until} that pass {@code filter},
   * oldest first: what {@code hubble observe --last N} shows. Reads segments and blocks backwards
   * from the newest and stops as soon as it has {@code n}; the result is held in memory, so callers
   * bound {@code n}.
   */
  public List<Flow> readNewest(
      int n, Instant since, Instant until, Predicate<? super Flow> filter) {
    requireNonNull(since, "since");
    requireNonNull(until, "until");
    requireNonNull(filter, "filter");
    if (n < 0) {
      throw new IllegalArgumentException("n: " + n + " (expected: >= 0)");
    }
    ensureOpen();
    long lo = toNanos(since);
    long hi = toNanos(until);
    if (n == 0 || lo > hi) {
      return List.of();
    }
    Query q = new Query(lo, hi);
    ArrayDeque<List<Flow>> chunks = new ArrayDeque<>();
    long[] total = {0};
    List<Segment> segs = segments;
    try (BlockReader reader = new BlockReader()) {
      for (int i = segs.size() - 1; i >= 0 && total[0] < n; i--) {
        Segment s = segs.get(i);
        BlockIndex idx = s.index();
        if (!idx.overlaps(lo, hi)) {
          q.segmentsSkipped++;
          continue;
        }
        FileChannel ch = q.open(s);
        if (ch == null) {
          break; // deleted by the size cap meanwhile, and so are all older ones
        }
        try {
          q.visit(
              s,
              idx,
              ch,
              true,
              reader,
              r -> {
                List<Flow> block = new ArrayList<>();
                r.forEach(
                    (flow, t) -> {
                      if (t >= lo && t <= hi && filter.test(flow)) {
                        block.add(flow);
                      }
                      return true;
                    });
                if (!block.isEmpty()) {
                  chunks.addFirst(block);
                  total[0] += block.size();
                }
                return total[0] < n;
              });
        } finally {
          closeQuietly(ch, s.path());
        }
      }
    }
    List<Flow> out = new ArrayList<>((int) Math.min(n, total[0]));
    long skip = Math.max(0, total[0] - n);
    for (List<Flow> chunk : chunks) {
      for (Flow f : chunk) {
        if (skip > 0) {
          skip--;
        } else {
          out.add(f);
        }
      }
    }
    return out;
  }

  /** Current size, counters and time range. */
  public Stats stats() {
    long appendedNow;
    appendLock.lock();
    try {
      appendedNow = appended;
    } finally {
      appendLock.unlock();
    }
    List<Segment> segs = segments;
    Segment act = active;
    long bytes = 0;
    long flows = 0;
    long oldest = Long.MAX_VALUE;
    long newest = Long.MIN_VALUE;
    for (Segment s : segs) {
      BlockIndex idx = s.index();
      bytes += s == act ? idx.end() : s.bytes();
      flows += idx.flows();
      oldest = Math.min(oldest, idx.minTime());
      newest = Math.max(newest, idx.maxTime());
    }
    return new Stats(
        bytes,
        segs.size(),
        flows,
        appendedNow,
        dropped.get(),
        writeFailures.get(),
        corruptBlocks.get(),
        flows == 0 ? Optional.empty() : Optional.of(instant(oldest)),
        flows == 0 ? Optional.empty() : Optional.of(instant(newest)));
  }

  /**
   * Writes every appended flow, seals the segment being written (footer and fsync) and stops the
   * I/O thread. Idempotent.
   */
  @Override
  public void close() {
    appendLock.lock();
    try {
      if (closed) {
        return;
      }
      handOff();
      closed = true;
    } finally {
      appendLock.unlock();
    }
    onIoThread(this::closeOnIoThread);
    io.shutdown();
    try {
      if (!io.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.atWarn().addKeyValue("dir", dir).log("flow store: I/O thread did not stop in 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      fileLock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.atWarn().setCause(e).addKeyValue("dir", dir).log("flow store: releasing the lock failed");
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("flow store " + dir + " is closed");
    }
  }

  /** Runs {@code task} on the I/O thread after everything queued before it, and waits for it. */
  private void onIoThread(Runnable task) {
    if (Thread.currentThread() == ioThread) {
      throw new IllegalStateException("flow store: must not wait for the I/O thread on itself");
    }
    Future<?> f;
    try {
      f = io.submit(task);
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("flow store " + dir + " is closed", e);
    }
    try {
      f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.atWarn().setCause(e.getCause()).addKeyValue("dir", dir).log("flow store: task failed");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The writer's side (under appendLock)

  /** Queues the block being filled for the I/O thread, or drops it when too much is queued. */
  private void handOff() {
    if (builder.isEmpty()) {
      return;
    }
    RawBlock b = builder.take();
    if (pendingBytes.get() + b.end() > maxPendingBytes) {
      long total = dropped.addAndGet(b.count());
      builder.recycle(b);
      long now = System.nanoTime();
      if (now - overflowLoggedNanos >= LOG_INTERVAL_NANOS) {
        overflowLoggedNanos = now;
        LOG.atWarn()
            .addKeyValue("dir", dir)
            .addKeyValue("pendingBytes", pendingBytes.get())
            .addKeyValue("flowsDropped", total)
            .log(
                "flow store: the disk does not keep up; dropping flows (counted, logged once a minute)");
      }
      return;
    }
    pendingBytes.addAndGet(b.end());
    try {
      io.execute(() -> writeBlock(b));
    } catch (RejectedExecutionException e) {
      pendingBytes.addAndGet(-b.end());
      dropped.addAndGet(b.count());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The I/O thread

  /** Writes one block; a failure drops its flows and is counted. */
  private void writeBlock(RawBlock b) {
    try {
      ByteBuffer block = encoder.encode(b);
      int length = block.remaining();
      Segment seg = segmentFor(length);
      makeRoom(length);
      BlockIndex idx = seg.index();
      long offset = idx.end();
      writeFully(activeChannel, block, offset, seg.path(), "write block at " + offset);
      seg.publish(idx.plus(offset, length, b.count(), b.minTime(), b.maxTime()));
      dirty = true;
      if (failing) {
        failing = false;
        if (failureLogged) {
          failureLogged = false;
          LOG.atInfo()
              .addKeyValue("dir", dir)
              .addKeyValue("flowsDropped", dropped.get())
              .log("flow store: writing works again");
        }
      }
    } catch (RuntimeException e) { // FlowStoreException, or a bug: either way the writer goes on
      long total = dropped.addAndGet(b.count());
      writeFailures.incrementAndGet();
      long now = System.nanoTime();
      if (!failing && now - failureLoggedNanos >= LOG_INTERVAL_NANOS) {
        failureLogged = true;
        failureLoggedNanos = now;
        LOG.atError()
            .setCause(e)
            .addKeyValue("dir", dir)
            .addKeyValue("flowsDropped", total)
            .log("flow store: write failed; dropping flows (counted) until a write succeeds");
      }
      failing = true;
      discardTornTail();
    } finally {
      pendingBytes.addAndGet(-b.end());
      builder.recycle(b);
    }
  }

  /** The segment the next block of {@code length} bytes goes to, rotating when it is full. */
  private Segment segmentFor(int length) {
    Segment s = active;
    if (s != null
        && s.index().blocks() > 0
        && s.bytes() + length + StoreFormat.FOOTER_ENTRY_BYTES > limits.segmentBytes()) {
      seal();
      expireByAge();
    }
    if (active == null) {
      createSegment();
    } else if (!activeChannel.isOpen()) {
      // An interrupt closes a FileChannel; reopen instead of failing forever.
      try {
        activeChannel =
            opener.open(active.path(), StandardOpenOption.WRITE, StandardOpenOption.READ);
      } catch (IOException e) {
        throw new FlowStoreException(active.path(), "reopen segment", e);
      }
    }
    return active;
  }

  private void createSegment() {
    long seq = nextSeq++;
    Path path = dir.resolve(StoreFormat.fileName(seq));
    FileChannel ch;
    try {
      ch =
          opener.open(
              path,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE,
              StandardOpenOption.READ);
    } catch (IOException e) {
      throw new FlowStoreException(path, "create segment", e);
    }
    try {
      writeFully(ch, StoreFormat.fileHeader(seq), 0, path, "write segment header");
    } catch (FlowStoreException e) {
      closeQuietly(ch, path);
      deleteQuietly(path);
      throw e;
    }
    Segment s = new Segment(seq, path, BlockIndex.EMPTY);
    List<Segment> next = new ArrayList<>(segments);
    next.add(s);
    segments = List.copyOf(next);
    activeChannel = ch;
    active = s;
    dirDirty = true;
  }

  /** Writes the active segment's footer, fsyncs and closes it. */
  private void seal() {
    Segment s = active;
    FileChannel ch = activeChannel;
    active = null;
    activeChannel = null;
    BlockIndex idx = s.index();
    if (idx.blocks() == 0) {
      closeQuietly(ch, s.path());
      remove(s);
      deleteQuietly(s.path());
      return;
    }
    try {
      if (!ch.isOpen()) {
        ch = opener.open(s.path(), StandardOpenOption.WRITE);
      }
      writeFully(ch, StoreFormat.footer(idx), idx.end(), s.path(), "write footer");
      ch.force(false);
    } catch (FlowStoreException | IOException e) {
      writeFailures.incrementAndGet();
      LOG.atWarn()
          .setCause(e)
          .addKeyValue("segment", s.path())
          .log("flow store: sealing a segment failed; it is repaired at the next open");
      try {
        ch.truncate(idx.end());
      } catch (IOException ignored) {
        // The next open cuts what does not check.
      }
    } finally {
      closeQuietly(ch, s.path());
    }
  }

  /** Deletes the oldest segments until a block of {@code length} more bytes fits in maxBytes. */
  private void makeRoom(int length) {
    long total = length + StoreFormat.FOOTER_ENTRY_BYTES;
    for (Segment s : segments) {
      total += s.bytes();
    }
    while (total > limits.maxBytes()) {
      Segment oldest = segments.getFirst();
      if (oldest == active || !delete(oldest, "size cap")) {
        return;
      }
      total -= oldest.bytes();
    }
  }

  /** Deletes sealed segments whose newest flow is older than maxAge. */
  private void expireByAge() {
    if (limits.maxAge().isZero()) {
      return;
    }
    long cutoff = toNanos(Instant.now().minus(limits.maxAge()));
    while (!segments.isEmpty()) {
      Segment oldest = segments.getFirst();
      if (oldest == active || oldest.index().maxTime() >= cutoff || !delete(oldest, "max age")) {
        return;
      }
    }
  }

  private boolean delete(Segment s, String why) {
    try {
      Files.deleteIfExists(s.path());
    } catch (IOException e) {
      if (!deleteFailureLogged) {
        deleteFailureLogged = true;
        LOG.atError()
            .setCause(new FlowStoreException(s.path(), "delete segment (" + why + ")", e))
            .addKeyValue("dir", dir)
            .log("flow store: cannot delete old segments; the store grows beyond its limit");
      }
      return false;
    }
    remove(s);
    dirDirty = true;
    LOG.atDebug().addKeyValue("segment", s.path()).addKeyValue("why", why).log("segment deleted");
    return true;
  }

  private void remove(Segment s) {
    List<Segment> next = new ArrayList<>(segments);
    next.remove(s);
    segments = List.copyOf(next);
  }

  private void discardTornTail() {
    if (active != null && activeChannel != null && activeChannel.isOpen()) {
      try {
        activeChannel.truncate(active.index().end());
      } catch (IOException ignored) {
        // The next block overwrites from the same offset; the next open cuts the rest.
      }
    }
  }

  /** Every flushInterval: hand off the partial block, apply maxAge, fsync when due. */
  private void tick() {
    try {
      appendLock.lock();
      try {
        if (closed) {
          return;
        }
        handOff();
      } finally {
        appendLock.unlock();
      }
      expireByAge();
      if (System.nanoTime() - lastSyncNanos >= limits.syncInterval().toNanos()) {
        syncNow();
      }
    } catch (RuntimeException e) {
      LOG.atWarn().setCause(e).addKeyValue("dir", dir).log("flow store: periodic flush failed");
    }
  }

  private void syncNow() {
    lastSyncNanos = System.nanoTime();
    if (dirty && activeChannel != null) {
      dirty = false;
      try {
        activeChannel.force(false);
      } catch (IOException e) {
        writeFailures.incrementAndGet();
        LOG.atWarn()
            .setCause(new FlowStoreException(active.path(), "fsync", e))
            .log("flow store: fsync failed");
      }
    }
    if (dirDirty) {
      dirDirty = false;
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException e) {
        LOG.atDebug().setCause(e).addKeyValue("dir", dir).log("flow store: directory fsync failed");
      }
    }
  }

  private void closeOnIoThread() {
    if (active != null) {
      seal();
    }
    syncNow();
    encoder.close();
  }

  private static void writeFully(
      FileChannel ch, ByteBuffer b, long position, Path path, String op) {
    try {
      long p = position;
      while (b.hasRemaining()) {
        p += ch.write(b, p);
      }
    } catch (IOException e) {
      throw new FlowStoreException(path, op, e);
    }
  }

  private static void closeQuietly(FileChannel ch, Path path) {
    try {
      ch.close();
    } catch (IOException e) {
      LOG.atDebug().setCause(e).addKeyValue("segment", path).log("flow store: close failed");
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      LOG.atDebug().setCause(e).addKeyValue("segment", path).log("flow store: delete failed");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** Blocks a query visits; false stops the query. */
  private interface BlockVisitor {
    boolean visit(BlockReader reader) throws CorruptBlockException;
  }

  /** Counters of one query, and the loop over one segment's blocks. */
  private final class Query {
    final long lo;
    final long hi;
    long flows;
    int segmentsRead;
    int segmentsSkipped;
    long blocksRead;
    long corrupt;

    Query(long lo, long hi) {
      this.lo = lo;
      this.hi = hi;
    }

    ReadStats stats(boolean stopped) {
      return new ReadStats(flows, segmentsRead, segmentsSkipped, blocksRead, corrupt, stopped);
    }

    /** Opens a segment for reading; null when it was deleted since the query started. */
    FileChannel open(Segment s) {
      try {
        return FileChannel.open(s.path(), StandardOpenOption.READ);
      } catch (NoSuchFileException e) {
        return null;
      } catch (IOException e) {
        throw new FlowStoreException(s.path(), "open for reading", e);
      }
    }

    /** Visits the blocks of {@code s} overlapping the query; false when the visitor stopped. */
    boolean visit(
        Segment s,
        BlockIndex idx,
        FileChannel ch,
        boolean newestFirst,
        BlockReader reader,
        BlockVisitor v) {
      boolean counted = false;
      try {
        for (int k = 0; k < idx.blocks(); k++) {
          int i = newestFirst ? idx.blocks() - 1 - k : k;
          if (!idx.overlaps(i, lo, hi)) {
            continue;
          }
          if (!counted) {
            counted = true;
            segmentsRead++;
          }
          blocksRead++;
          try {
            reader.read(ch, idx.offset(i), idx.length(i));
            if (!v.visit(reader)) {
              return false;
            }
          } catch (CorruptBlockException e) {
            corrupt(s, idx.offset(i), e.getMessage());
          } catch (EOFException e) {
            corrupt(s, idx.offset(i), "file ends inside the block");
          }
        }
        return true;
      } catch (IOException e) {
        throw new FlowStoreException(s.path(), "read", e);
      }
    }

    private void corrupt(Segment s, long offset, String why) {
      corrupt++;
      corruptBlocks.incrementAndGet();
      if (corruptLogged.add(s.seq())) {
        LOG.atWarn()
            .addKeyValue("segment", s.path())
            .addKeyValue("offset", offset)
            .addKeyValue("reason", why)
            .log(
                "flow store: corrupt block skipped (further ones in this segment are counted only)");
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Time

  /** {@code flow.time} in nanoseconds since the epoch, saturated to the range of a long. */
  static long timeNanos(Flow flow) {
    Timestamp t = flow.getTime();
    return nanos(t.getSeconds(), t.getNanos());
  }

  static long toNanos(Instant i) {
    return nanos(i.getEpochSecond(), i.getNano());
  }

  private static long nanos(long seconds, int nanos) {
    try {
      return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nanos);
    } catch (ArithmeticException e) {
      return seconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static Instant instant(long nanos) {
    return Instant.ofEpochSecond(
        Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
  }
}
