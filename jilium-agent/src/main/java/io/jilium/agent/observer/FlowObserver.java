package io.jilium.agent.observer;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.LostEvent;
import io.jilium.api.flow.LostEventSource;
import io.jilium.api.observer.GetFlowsResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flow pipeline of one agent: datapath records are counted by the metrics (on the monitor
 * thread that reads them), kept in the ring buffer, decoded when read, and handed to the optional
 * sink (the on-disk store). Losses in the kernel's ring buffer become loss notices in the flow
 * stream.
 */
public final class FlowObserver {
  private static final Logger LOG = LoggerFactory.getLogger(FlowObserver.class);
  private static final int DECODE_ON_PUBLISH_MAX = 65_536;

  private final FlowDecoder decoder;
  private final FlowRing ring;
  private final String nodeName;
  private final ByteString nodeNameBytes; // serialized with every flow
  private final HubbleMetrics metrics;
  private final long startNanos = System.nanoTime();
  private final AtomicLong seen = new AtomicLong();
  private final AtomicLong decodeErrors = new AtomicLong();
  // the directory of the records since ring sequence recordsDirectoryFrom (monitor thread only)
  private ObserverDirectory recordsDirectory;
  private long recordsDirectoryFrom;
  private volatile Consumer<Flow> sink; // null: nobody takes every flow
  private volatile Runnable catchUp = () -> {};
  private long lostReported = -1; // -1: no baseline yet

  public FlowObserver(FlowDecoder decoder, FlowRing ring, String nodeName, HubbleMetrics metrics) {
    this.decoder = decoder;
    this.ring = ring;
    this.nodeName = nodeName;
    this.nodeNameBytes = ByteString.copyFromUtf8(nodeName);
    this.metrics = metrics;
  }

  /** Also hands every flow to {@code sink} (called on the monitor thread, in order). */
  public void setSink(Consumer<Flow> sink) {
    this.sink = sink;
  }

  /**
   * How a reader waits for the records the datapath has written but the monitor not yet read (it
   * drains the kernel ring every millisecond while events come, not on every event).
   */
  public void setCatchUp(Runnable catchUp) {
    this.catchUp = catchUp;
  }

  /** Waits (briefly) until what the datapath reported so far is in the ring. */
  public void catchUp() {
    catchUp.run();
  }

  /**
   * One datapath record; records of unknown types are ignored. The record is counted by the metrics
   * and stored as it is; it becomes a flow when someone reads it ({@link FlowEvent}), or at once
   * when a sink (the flow store) takes every flow.
   */
  public void onRecord(byte[] record) {
    if (!FlowDecoder.isFlowRecord(record)) {
      return;
    }
    try {
      metrics.record(record);
    } catch (RuntimeException e) {
      decodeFailed(e);
      return;
    }
    seen.incrementAndGet();
    ObserverDirectory dir = decoder.currentDirectory();
    if (dir != recordsDirectory) {
      decodeHeldSince(recordsDirectoryFrom);
      recordsDirectory = dir;
      recordsDirectoryFrom = ring.next();
    }
    FlowEvent e = FlowEvent.ofRecord(record, decoder, dir, nodeNameBytes, this::decodeFailed);
    ring.add(e);
    Consumer<Flow> s = sink;
    if (s != null) {
      GetFlowsResponse r = e.response();
      if (r != null) {
        s.accept(r.getFlow());
      }
    }
  }

  /**
   * Decodes the held events recorded since {@code from}: the directory they were read with is about
   * to be replaced, and an undecoded event keeps its directory alive. So at most one directory (the
   * current one) is held by the ring however often the control loop publishes, at the cost of
   * decoding up to the ring's capacity once per published change. Only the newest {@link
   * #DECODE_ON_PUBLISH_MAX} are decoded: a ring configured far larger than Hubble's default would
   * otherwise stall the monitor thread on every change, and in such a ring the raw records weigh
   * more than the directories they keep.
   */
  private void decodeHeldSince(long from) {
    List<FlowEvent> held = ring.since(Math.max(from, ring.next() - DECODE_ON_PUBLISH_MAX));
    for (FlowEvent e : held) {
      e.response();
    }
  }

  private void decodeFailed(RuntimeException e) {
    // one malformed record must not stop the stream; the count shows up in the status
    if (decodeErrors.getAndIncrement() == 0) {
      LOG.atWarn().setCause(e).log("a datapath event could not be decoded");
    }
  }

  /** The end of a batch of records: followers of the ring see them now. */
  public void endOfBatch() {
    ring.publish();
  }

  /**
   * The kernel's count of notifications that did not fit (all CPUs); a rise since the last call
   * becomes a loss notice in the stream and in lost_events_total.
   */
  public void lostInKernel(long total) {
    if (lostReported < 0) {
      // the pinned counter outlives agents: what earlier agents saw (or what was lost while no
      // agent read the ring) is not this agent's to report again
      lostReported = total;
      if (total > 0) {
        LOG.atInfo().addKeyValue("lostBefore", total).log("events lost before this agent started");
      }
      return;
    }
    long delta = total - lostReported;
    if (delta <= 0) {
      return;
    }
    lostReported = total;
    long now = System.currentTimeMillis() * 1_000_000L;
    Timestamp t = FlowDecoder.timestamp(now);
    metrics.lost(LostEventSource.PERF_EVENT_RING_BUFFER, delta);
    ring.add(
        FlowEvent.of(
            GetFlowsResponse.newBuilder()
                .setLostEvents(
                    LostEvent.newBuilder()
                        .setSource(LostEventSource.PERF_EVENT_RING_BUFFER)
                        .setNumEventsLost(delta)
                        .setLast(t))
                .setNodeName(nodeName)
                .setTime(t)
                .build()));
    ring.publish();
  }

  public FlowRing ring() {
    return ring;
  }

  public long seenFlows() {
    return seen.get();
  }

  public long decodeErrors() {
    return decodeErrors.get();
  }

  public long uptimeNanos() {
    return System.nanoTime() - startNanos;
  }

  public String nodeName() {
    return nodeName;
  }
}
