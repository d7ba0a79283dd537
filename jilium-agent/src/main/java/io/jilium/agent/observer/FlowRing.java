package io.jilium.agent.observer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hubble's flow ring buffer: the last {@code capacity} events (flows and loss notices), each with a
 * sequence number. One writer (the monitor thread); readers copy what they need under a short lock
 * (and decode it after, outside the lock: {@link FlowEvent}) and followers wait for new sequence
 * numbers. The writer wakes followers once per batch ({@link #publish()}), not per event: under
 * load a follower takes hundreds of flows per wakeup.
 */
public final class FlowRing {
  private final FlowEvent[] slots;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition grown = lock.newCondition();
  private long next; // sequence number of the next event written

  public FlowRing(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("flow buffer capacity " + capacity + " (expected: 1+)");
    }
    this.slots = new FlowEvent[capacity];
  }

  public int capacity() {
    return slots.length;
  }

  public void add(FlowEvent e) {
    lock.lock();
    try {
      slots[(int) (next % slots.length)] = e;
      next++;
    } finally {
      lock.unlock();
    }
  }

  /** Wakes the followers waiting for what was added since the last call. */
  public void publish() {
    lock.lock();
    try {
      grown.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Sequence number the next event will get. */
  public long next() {
    lock.lock();
    try {
      return next;
    } finally {
      lock.unlock();
    }
  }

  /** Sequence number of the oldest event still held. */
  public long oldest() {
    lock.lock();
    try {
      return Math.max(0, next - slots.length);
    } finally {
      lock.unlock();
    }
  }

  /** Everything held, oldest first, and the sequence number the next event will get. */
  public record Snapshot(List<FlowEvent> events, long next) {}

  /** What is held and where a follower continues, read together so nothing is seen twice. */
  public Snapshot snapshot() {
    lock.lock();
    try {
      return new Snapshot(since(0), next);
    } finally {
      lock.unlock();
    }
  }

  /** Events from sequence {@code from} (clamped to what is held) up to the newest, oldest first. */
  public List<FlowEvent> since(long from) {
    lock.lock();
    try {
      long start = Math.max(from, Math.max(0, next - slots.length));
      List<FlowEvent> out = new ArrayList<>((int) Math.max(0, next - start));
      for (long s = start; s < next; s++) {
        out.add(slots[(int) (s % slots.length)]);
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** Waits until an event with sequence {@code >= seq} exists or the timeout passes. */
  public boolean await(long seq, long timeoutMillis) throws InterruptedException {
    lock.lock();
    try {
      long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
      while (next <= seq) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        grown.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }
}
