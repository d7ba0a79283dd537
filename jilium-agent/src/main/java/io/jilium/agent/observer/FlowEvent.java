package io.jilium.agent.observer;

import com.google.protobuf.ByteString;
import io.jilium.api.flow.Flow;
import io.jilium.api.observer.GetFlowsResponse;
import java.util.function.Consumer;

/**
 * One event of the flow ring. A datapath record is kept as the kernel wrote it, with the directory
 * published when it was read, and becomes a {@code flow.Flow} the first time a reader asks for it
 * (a GetFlows call, a follower, the flow store); every later reader gets the same message, uuid
 * included. Under a connection storm most flows are overwritten before anyone reads them: the
 * monitor thread then only copies the record, counts its metrics and stores it.
 */
public final class FlowEvent {
  /** Marks a record that could not be decoded (it yields no response). */
  private static final GetFlowsResponse UNDECODABLE = GetFlowsResponse.getDefaultInstance();

  private final long timeNanos;
  private final FlowDecoder decoder;
  private ObserverDirectory directory; // guarded by decoder; dropped once decoded
  private final ByteString nodeName;
  private final Consumer<RuntimeException> onDecodeError;
  private byte[] record; // guarded by decoder; dropped once decoded
  private volatile GetFlowsResponse response;

  private FlowEvent(
      long timeNanos,
      byte[] record,
      FlowDecoder decoder,
      ObserverDirectory directory,
      ByteString nodeName,
      Consumer<RuntimeException> onDecodeError,
      GetFlowsResponse response) {
    this.timeNanos = timeNanos;
    this.record = record;
    this.decoder = decoder;
    this.directory = directory;
    this.nodeName = nodeName;
    this.onDecodeError = onDecodeError;
    this.response = response;
  }

  /**
   * A flow record ({@link FlowDecoder#isFlowRecord}) to decode on first read against {@code
   * directory}; {@code onDecodeError} hears of a record that turns out malformed.
   */
  static FlowEvent ofRecord(
      byte[] record,
      FlowDecoder decoder,
      ObserverDirectory directory,
      ByteString nodeName,
      Consumer<RuntimeException> onDecodeError) {
    return new FlowEvent(
        decoder.wallNanos(record), record, decoder, directory, nodeName, onDecodeError, null);
  }

  /** An event that is a message already (a loss notice). */
  public static FlowEvent of(GetFlowsResponse response) {
    long t = response.getTime().getSeconds() * 1_000_000_000L + response.getTime().getNanos();
    return new FlowEvent(t, null, null, null, response.getNodeNameBytes(), e -> {}, response);
  }

  /** When it happened, in nanoseconds since the epoch (known without decoding). */
  public long timeNanos() {
    return timeNanos;
  }

  /** Whether the event is a message already (it no longer holds its record and directory). */
  boolean decoded() {
    return response != null;
  }

  /** The event as GetFlows sends it, decoded on the first call; null if it was malformed. */
  public GetFlowsResponse response() {
    GetFlowsResponse r = response;
    if (r == null) {
      synchronized (decoder) {
        r = response;
        if (r == null) {
          r = decode();
          response = r;
          record = null;
          directory = null;
        }
      }
    }
    return r == UNDECODABLE ? null : r;
  }

  private GetFlowsResponse decode() {
    Flow f;
    try {
      f = decoder.decode(record, directory);
    } catch (RuntimeException e) {
      onDecodeError.accept(e);
      return UNDECODABLE;
    }
    if (f == null) {
      return UNDECODABLE;
    }
    return GetFlowsResponse.newBuilder()
        .setFlow(f)
        .setNodeNameBytes(nodeName)
        .setTime(f.getTime())
        .build();
  }
}
