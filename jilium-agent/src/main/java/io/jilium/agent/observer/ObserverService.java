package io.jilium.agent.observer;

import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jilium.api.flow.Flow;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.api.observer.GetFlowsResponse;
import io.jilium.api.observer.GetNamespacesRequest;
import io.jilium.api.observer.GetNamespacesResponse;
import io.jilium.api.observer.GetNodesRequest;
import io.jilium.api.observer.GetNodesResponse;
import io.jilium.api.observer.Namespace;
import io.jilium.api.observer.Node;
import io.jilium.api.observer.ObserverGrpc;
import io.jilium.api.observer.ServerStatusRequest;
import io.jilium.api.observer.ServerStatusResponse;
import io.jilium.api.relay.NodeState;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Hubble's {@code observer.Observer} service over the agent's flow ring buffer (and, with {@code
 * --flow-store}, the history on disk): GetFlows with allowlist and denylist filters, number or
 * first, follow, since and until; ServerStatus; GetNodes; GetNamespaces.
 */
public final class ObserverService extends ObserverGrpc.ObserverImplBase {
  /** Older flows than the ring holds, from the on-disk store (oldest first, stop on false). */
  public interface History {
    void read(Timestamp since, Timestamp until, Predicate<Flow> consumer);
  }

  private final FlowObserver observer;
  private final Supplier<ObserverDirectory> directory;
  private final String version;
  private volatile History history;

  public ObserverService(
      FlowObserver observer, Supplier<ObserverDirectory> directory, String version) {
    this.observer = observer;
    this.directory = directory;
    this.version = version;
  }

  public void setHistory(History history) {
    this.history = history;
  }

  @Override
  public void getFlows(GetFlowsRequest req, StreamObserver<GetFlowsResponse> out) {
    Predicate<Flow> filter;
    try {
      filter = FlowFilters.compile(req.getWhitelistList(), req.getBlacklistList());
    } catch (IllegalArgumentException e) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    if (req.getFirst() && req.getFollow()) {
      out.onError(
          Status.INVALID_ARGUMENT
              .withDescription("first and follow cannot be combined")
              .asRuntimeException());
      return;
    }
    ServerCallStreamObserver<GetFlowsResponse> call =
        (ServerCallStreamObserver<GetFlowsResponse>) out;
    boolean hasSince = req.hasSince();
    boolean hasUntil = req.hasUntil();
    long since = hasSince ? nanos(req.getSince()) : Long.MIN_VALUE;
    long until = hasUntil ? nanos(req.getUntil()) : Long.MAX_VALUE;
    // ring events are decoded only once their time is in range (most are never read)
    Predicate<GetFlowsResponse> wanted =
        r -> r.hasLostEvents() || (r.hasFlow() && filter.test(r.getFlow()));

    FlowRing ring = observer.ring();
    observer.catchUp(); // the flows of what just happened may still be in the kernel's ring
    FlowRing.Snapshot snapshot = ring.snapshot();
    long cursor = snapshot.next();
    List<FlowEvent> held = snapshot.events();
    List<GetFlowsResponse> candidates = new ArrayList<>(held.size());
    History h = this.history;
    Long firstHeld = held.isEmpty() ? null : held.getFirst().timeNanos();
    if (h != null && hasSince && (firstHeld == null || since < firstHeld)) {
      // the range starts before what the ring holds (it wrapped, or the agent restarted): the
      // older part comes from disk, up to the ring's oldest flow so that nothing appears twice
      Timestamp upTo =
          firstHeld != null
              ? FlowDecoder.timestamp(firstHeld)
              : hasUntil
                  ? req.getUntil()
                  : FlowDecoder.timestamp(System.currentTimeMillis() * 1_000_000L);
      String node = observer.nodeName();
      h.read(
          req.getSince(),
          upTo,
          f -> {
            long t = nanos(f.getTime());
            if ((firstHeld == null || t < firstHeld) && t >= since && t <= until) {
              GetFlowsResponse r =
                  GetFlowsResponse.newBuilder()
                      .setFlow(f)
                      .setNodeName(node)
                      .setTime(f.getTime())
                      .build();
              if (wanted.test(r)) {
                candidates.add(r);
              }
            }
            return !call.isCancelled();
          });
    }
    for (FlowEvent e : held) {
      if (e.timeNanos() >= since && e.timeNanos() <= until) {
        GetFlowsResponse r = e.response();
        if (r != null && wanted.test(r)) {
          candidates.add(r);
        }
      }
    }
    // number is unsigned: hubble --all sends 2^64-1
    long number = req.getNumber();
    int n = Long.compareUnsigned(number, candidates.size()) > 0 ? candidates.size() : (int) number;
    List<GetFlowsResponse> initial;
    if (number != 0 && req.getFirst()) {
      initial = candidates.subList(0, n);
    } else if (number != 0) {
      initial = candidates.subList(candidates.size() - n, candidates.size());
    } else if (req.getFollow() && !hasSince) {
      initial = List.of(); // follow alone: only what comes next
    } else {
      initial = candidates;
    }
    for (GetFlowsResponse r : initial) {
      if (call.isCancelled()) {
        return;
      }
      out.onNext(r);
    }
    if (!req.getFollow()) {
      out.onCompleted();
      return;
    }
    try {
      while (!call.isCancelled()) {
        if (!call.isReady()) {
          // the client reads slower than flows come: buffer no more for it (that memory would be
          // copied by every young collection), wait for its window and skip what the ring
          // overwrites meanwhile, as Hubble's blocking send does. This thread runs the call's
          // handler and so cannot receive its onReady callback: readiness is looked at again
          // with every new batch of flows.
          ring.await(ring.next(), 50);
          continue;
        }
        if (!ring.await(cursor, 500)) {
          continue;
        }
        long oldest = ring.oldest();
        if (cursor < oldest) {
          // this reader fell behind the writer: what was overwritten is gone, and it is told so,
          // as Hubble does
          Timestamp t = FlowDecoder.timestamp(System.currentTimeMillis() * 1_000_000L);
          out.onNext(
              GetFlowsResponse.newBuilder()
                  .setLostEvents(
                      io.jilium.api.flow.LostEvent.newBuilder()
                          .setSource(io.jilium.api.flow.LostEventSource.HUBBLE_RING_BUFFER)
                          .setNumEventsLost(oldest - cursor)
                          .setLast(t))
                  .setNodeName(observer.nodeName())
                  .setTime(t)
                  .build());
          cursor = oldest;
        }
        List<FlowEvent> fresh = ring.since(cursor);
        for (FlowEvent e : fresh) {
          if (e.timeNanos() > until) {
            out.onCompleted();
            return;
          }
          if (e.timeNanos() >= since) {
            if (!call.isReady()) {
              break; // the rest when the client has room (or a loss notice if overwritten)
            }
            GetFlowsResponse r = e.response();
            if (r != null && wanted.test(r)) {
              out.onNext(r);
            }
          }
          cursor++;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.onError(Status.CANCELLED.withDescription("agent stopping").asRuntimeException());
    } catch (RuntimeException e) {
      if (!call.isCancelled()) {
        throw e;
      }
    }
  }

  @Override
  public void serverStatus(ServerStatusRequest req, StreamObserver<ServerStatusResponse> out) {
    FlowRing ring = observer.ring();
    long held = ring.next() - ring.oldest();
    double uptimeSeconds = Math.max(1, observer.uptimeNanos() / 1e9);
    out.onNext(
        ServerStatusResponse.newBuilder()
            .setNumFlows(held)
            .setMaxFlows(ring.capacity())
            .setSeenFlows(observer.seenFlows())
            .setUptimeNs(observer.uptimeNanos())
            .setNumConnectedNodes(UInt32Value.of(1))
            .setNumUnavailableNodes(UInt32Value.of(0))
            .setVersion(version)
            // the average since start (Hubble's is over the last minute)
            .setFlowsRate(observer.seenFlows() / uptimeSeconds)
            .build());
    out.onCompleted();
  }

  @Override
  public void getNodes(GetNodesRequest req, StreamObserver<GetNodesResponse> out) {
    FlowRing ring = observer.ring();
    out.onNext(
        GetNodesResponse.newBuilder()
            .addNodes(
                Node.newBuilder()
                    .setName(observer.nodeName())
                    .setVersion(version)
                    .setState(NodeState.NODE_CONNECTED)
                    .setUptimeNs(observer.uptimeNanos())
                    .setNumFlows(ring.next() - ring.oldest())
                    .setMaxFlows(ring.capacity())
                    .setSeenFlows(observer.seenFlows()))
            .build());
    out.onCompleted();
  }

  @Override
  public void getNamespaces(GetNamespacesRequest req, StreamObserver<GetNamespacesResponse> out) {
    TreeSet<String> names = new TreeSet<>();
    directory.get().endpointsById().values().forEach(ep -> names.add(ep.namespace()));
    GetNamespacesResponse.Builder b = GetNamespacesResponse.newBuilder();
    names.forEach(n -> b.addNamespaces(Namespace.newBuilder().setNamespace(n)));
    out.onNext(b.build());
    out.onCompleted();
  }

  private static long nanos(Timestamp t) {
    return t.getSeconds() * 1_000_000_000L + t.getNanos();
  }
}
