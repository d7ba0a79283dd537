package io.jilium.agent.monitor;

import io.jilium.api.agent.v1.MonitorEvent;
import io.jilium.bpf.BpfMap;
import io.jilium.bpf.RingBuffer;
import io.jilium.core.flow.DropNotification;
import io.jilium.core.flow.PacketSummary;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the datapath's notification ring buffer on one platform thread, decodes drops, adds pod
 * names from the latest published snapshot, and hands each event to every subscriber. A slow
 * subscriber loses events (counted and reported to it), never the datapath or other subscribers.
 */
public final class MonitorHub implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorHub.class);
  private static final int SUBSCRIBER_QUEUE = 8192;

  /**
   * The datapath wakes an idle reader for the first record after a quiet millisecond, or when the
   * ring fills up (bpf/lib/notify.h), not for every record: after a wakeup the reader drains the
   * ring every millisecond until a drain finds nothing, and tells the datapath meanwhile that it
   * needs no wakeups ({@link DrainState}). The idle timeout bounds the delay of a record whose
   * wakeup raced with the last drain.
   */
  private static final int DRAIN_INTERVAL_MILLIS = 1;

  private static final int IDLE_TIMEOUT_MILLIS = 20;

  /** IP address (canonical text) -> pod (ns/name), for naming the two ends of a drop. */
  private volatile Map<String, String> podsByIp = Map.of();

  private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
  private final RingBuffer ring;
  private final Thread thread;
  private final AtomicLong decoded = new AtomicLong();
  private volatile boolean running = true;
  private final Object drainLock = new Object();
  private long drains; // completed drains of the ring, guarded by drainLock
  private final long monotonicToWallNanos;

  /** One listener's queue; {@link #lost()} counts what did not fit. */
  public static final class Subscriber {
    private final BlockingQueue<MonitorEvent> queue = new ArrayBlockingQueue<>(SUBSCRIBER_QUEUE);
    private final AtomicLong lost = new AtomicLong();

    public BlockingQueue<MonitorEvent> queue() {
      return queue;
    }

    /** Events dropped since the last call. */
    public long takeLost() {
      return lost.getAndSet(0);
    }
  }

  /** Where the reader tells the datapath whether it is draining on its own timer. */
  @FunctionalInterface
  public interface DrainState {
    void draining(boolean on);
  }

  private final DrainState drainState;

  /** Every record, whatever its type, in ring order (the flow pipeline). */
  private final java.util.function.Consumer<byte[]> records;

  public MonitorHub(BpfMap events) {
    this(events, on -> {}, r -> {}, () -> {});
  }

  /** Runs after every drain of the ring that handed on records. */
  private final Runnable endOfBatch;

  public MonitorHub(
      BpfMap events,
      DrainState drainState,
      java.util.function.Consumer<byte[]> records,
      Runnable endOfBatch) {
    this.drainState = drainState;
    this.records = records;
    this.endOfBatch = endOfBatch;
    this.monotonicToWallNanos = System.currentTimeMillis() * 1_000_000L - monotonicNanos();
    this.ring = new RingBuffer(events, this::onRecord);
    this.thread = Thread.ofPlatform().name("jilium-monitor").daemon(true).unstarted(this::pollLoop);
  }

  public void start() {
    thread.start();
  }

  public void publishPods(Map<String, String> podsByIp) {
    this.podsByIp = Map.copyOf(podsByIp);
  }

  public Subscriber subscribe() {
    Subscriber s = new Subscriber();
    subscribers.add(s);
    return s;
  }

  public void unsubscribe(Subscriber s) {
    subscribers.remove(s);
  }

  public long decodedEvents() {
    return decoded.get();
  }

  private void pollLoop() {
    boolean draining = false;
    try {
      drainState.draining(false); // an agent that died while draining left it on
    } catch (RuntimeException e) {
      LOG.atWarn().setCause(e).log("monitor: the datapath cannot be told that the reader is idle");
    }
    while (running) {
      try {
        int n = ring.poll(draining ? DRAIN_INTERVAL_MILLIS : IDLE_TIMEOUT_MILLIS);
        if (n == 0 && draining) {
          // going idle: records wake the reader again from now on; one that was submitted
          // without a wakeup just before is read by one more drain
          draining = false;
          drainState.draining(false);
          n = ring.poll(0);
        }
        if (n > 0) {
          if (!draining) {
            drainState.draining(true);
            draining = true;
          }
          endOfBatch.run();
        }
      } catch (RuntimeException e) {
        LOG.atWarn().setCause(e).log("monitor: reading the events ring buffer failed");
      }
      synchronized (drainLock) {
        drains++;
        drainLock.notifyAll();
      }
    }
  }

  /**
   * Waits until every record the datapath wrote before this call has been handed on (two more
   * drains of the ring: the one under way may have passed the newest record already), at most
   * {@code timeoutMillis}; a reader of the flow ring calls it to see what just happened.
   */
  public void awaitDrained(long timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    synchronized (drainLock) {
      long target = drains + 2;
      try {
        while (drains < target && running) {
          long left = (deadline - System.nanoTime()) / 1_000_000L;
          if (left <= 0) {
            return;
          }
          drainLock.wait(left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void onRecord(MemorySegment data) {
    if (data.byteSize() < 1) {
      return;
    }
    byte[] bytes = data.toArray(ValueLayout.JAVA_BYTE);
    try {
      records.accept(bytes);
    } catch (RuntimeException e) {
      LOG.atWarn().setCause(e).log("monitor: the flow pipeline failed on a record");
    }
    if (bytes[0] != DropNotification.TYPE_DROP) {
      return;
    }
    DropNotification n = DropNotification.decode(bytes);
    decoded.incrementAndGet();
    if (subscribers.isEmpty()) {
      return;
    }
    MonitorEvent event = toEvent(n);
    for (Subscriber s : subscribers) {
      if (!s.queue.offer(event)) {
        s.lost.incrementAndGet();
      }
    }
  }

  MonitorEvent toEvent(DropNotification n) {
    PacketSummary p = n.packet();
    Map<String, String> pods = podsByIp;
    MonitorEvent.Builder b =
        MonitorEvent.newBuilder()
            .setTimeUnixNanos(n.ktimeNanos() + monotonicToWallNanos)
            .setType("drop")
            .setReason(n.reason())
            .setReasonDescription(n.reasonDescription())
            .setSourceEndpoint(n.sourceEndpoint())
            .setSourceIdentity(n.sourceIdentity())
            .setDestinationIdentity(n.destinationIdentity())
            .setDirection(n.directionName())
            .setIfindex(n.ifindex())
            .setSourceFile(n.fileName())
            .setSourceLine(n.line())
            .setDestinationEndpoint(n.destinationEndpoint())
            .setSummary(p.connectionSummary());
    if (p.isKnown()) {
      b.setFamily(p.ipVersion() == 4 ? "IPv4" : "IPv6")
          .setProtocol(p.protocolName())
          .setSourceIp(p.source())
          .setDestinationIp(p.destination())
          .setSourcePort(p.sourcePort())
          .setDestinationPort(p.destinationPort())
          .setTcpFlags(String.join(", ", p.tcpFlagNames()))
          .setIcmpType(p.icmpType())
          .setIcmpCode(p.icmpCode())
          .setSourcePod(pods.getOrDefault(p.source(), ""))
          .setDestinationPod(pods.getOrDefault(p.destination(), ""));
    }
    return b.build();
  }

  private static long monotonicNanos() {
    // System.nanoTime is CLOCK_MONOTONIC on Linux, the clock of bpf_ktime_get_ns
    return System.nanoTime();
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!thread.isAlive()) {
      ring.close();
    }
  }
}
