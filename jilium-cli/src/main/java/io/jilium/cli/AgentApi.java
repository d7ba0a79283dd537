package io.jilium.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.jilium.api.agent.v1.*;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.api.observer.GetFlowsResponse;
import io.jilium.api.observer.ServerStatusRequest;
import io.jilium.api.observer.ServerStatusResponse;
import io.jilium.cli.rpc.RpcException;
import io.jilium.cli.rpc.UnixGrpcChannel;
import java.util.function.Predicate;

/**
 * The agent's API as blocking calls over {@link UnixGrpcChannel}; mirrors {@code agent.proto} and
 * the parts of Hubble's {@code observer.proto} the CLI uses.
 */
final class AgentApi {
  private static final String SERVICE = "/jilium.agent.v1.Agent/";
  private static final String OBSERVER = "/observer.Observer/";

  private final UnixGrpcChannel channel;

  AgentApi(UnixGrpcChannel channel) {
    this.channel = channel;
  }

  private <T> T call(String method, MessageLite request, Parser<T> parser) {
    return call(SERVICE, method, request, parser);
  }

  private <T> T call(String service, String method, MessageLite request, Parser<T> parser) {
    byte[] response = channel.unary(service + method, request.toByteArray());
    try {
      return parser.parseFrom(response);
    } catch (InvalidProtocolBufferException e) {
      throw new RpcException("INTERNAL", method + ": malformed response: " + e.getMessage());
    }
  }

  StatusResponse status(StatusRequest r) {
    return call("Status", r, StatusResponse.parser());
  }

  Endpoint endpointAdd(EndpointAddRequest r) {
    return call("EndpointAdd", r, Endpoint.parser());
  }

  EndpointDeleteResponse endpointDelete(EndpointDeleteRequest r) {
    return call("EndpointDelete", r, EndpointDeleteResponse.parser());
  }

  EndpointListResponse endpointList(EndpointListRequest r) {
    return call("EndpointList", r, EndpointListResponse.parser());
  }

  Pod podRun(PodRunRequest r) {
    return call("PodRun", r, Pod.parser());
  }

  PodDeleteResponse podDelete(PodRef r) {
    return call("PodDelete", r, PodDeleteResponse.parser());
  }

  PodListResponse podList(PodListRequest r) {
    return call("PodList", r, PodListResponse.parser());
  }

  Pod podLabel(PodLabelRequest r) {
    return call("PodLabel", r, Pod.parser());
  }

  ApplyResponse apply(ApplyRequest r) {
    return call("Apply", r, ApplyResponse.parser());
  }

  PolicyGetResponse policyGet(PolicyGetRequest r) {
    return call("PolicyGet", r, PolicyGetResponse.parser());
  }

  PolicyDeleteResponse policyDelete(PolicyDeleteRequest r) {
    return call("PolicyDelete", r, PolicyDeleteResponse.parser());
  }

  PolicyTraceResponse policyTrace(PolicyTraceRequest r) {
    return call("PolicyTrace", r, PolicyTraceResponse.parser());
  }

  IdentityListResponse identityList(IdentityListRequest r) {
    return call("IdentityList", r, IdentityListResponse.parser());
  }

  BpfIpCacheListResponse bpfIpCacheList(BpfIpCacheListRequest r) {
    return call("BpfIpCacheList", r, BpfIpCacheListResponse.parser());
  }

  BpfPolicyGetResponse bpfPolicyGet(BpfPolicyGetRequest r) {
    return call("BpfPolicyGet", r, BpfPolicyGetResponse.parser());
  }

  BpfCtListResponse bpfCtList(BpfCtListRequest r) {
    return call("BpfCtList", r, BpfCtListResponse.parser());
  }

  BpfLbListResponse bpfLbList(BpfLbListRequest r) {
    return call("BpfLbList", r, BpfLbListResponse.parser());
  }

  BpfLbMaglevGetResponse bpfLbMaglevGet(BpfLbMaglevGetRequest r) {
    return call("BpfLbMaglevGet", r, BpfLbMaglevGetResponse.parser());
  }

  ServiceListResponse serviceList(ServiceListRequest r) {
    return call("ServiceList", r, ServiceListResponse.parser());
  }

  /** Streams monitor events until {@code onEvent} returns false or the connection closes. */
  void monitor(MonitorRequest r, Predicate<MonitorEvent> onEvent) {
    channel.call(
        SERVICE + "Monitor",
        r.toByteArray(),
        bytes -> {
          try {
            return onEvent.test(MonitorEvent.parseFrom(bytes));
          } catch (InvalidProtocolBufferException e) {
            throw new RpcException("INTERNAL", "Monitor: malformed event: " + e.getMessage());
          }
        });
  }

  /**
   * Hubble's {@code observer.Observer/GetFlows}: streams responses until {@code onResponse} returns
   * false or the agent ends the stream (after the requested flows, unless following).
   */
  void getFlows(GetFlowsRequest r, Predicate<GetFlowsResponse> onResponse) {
    channel.call(
        OBSERVER + "GetFlows",
        r.toByteArray(),
        bytes -> {
          try {
            return onResponse.test(GetFlowsResponse.parseFrom(bytes));
          } catch (InvalidProtocolBufferException e) {
            throw new RpcException("INTERNAL", "GetFlows: malformed response: " + e.getMessage());
          }
        });
  }

  /** Hubble's {@code observer.Observer/ServerStatus}: flow buffer figures. */
  ServerStatusResponse serverStatus() {
    return call(
        OBSERVER,
        "ServerStatus",
        ServerStatusRequest.getDefaultInstance(),
        ServerStatusResponse.parser());
  }
}
