package io.jilium.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.jilium.api.agent.v1.AgentGrpc;
import io.jilium.api.agent.v1.BpfLbListRequest;
import io.jilium.api.agent.v1.BpfLbListResponse;
import io.jilium.api.agent.v1.BpfLbMaglevGetRequest;
import io.jilium.api.agent.v1.BpfLbMaglevGetResponse;
import io.jilium.api.agent.v1.LbAddress;
import io.jilium.api.agent.v1.LbBackend;
import io.jilium.api.agent.v1.LbMaglevTable;
import io.jilium.api.agent.v1.LbMapEntry;
import io.jilium.api.agent.v1.LbRevNatEntry;
import io.jilium.api.agent.v1.LbService;
import io.jilium.api.agent.v1.ServiceListRequest;
import io.jilium.api.agent.v1.ServiceListResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code jilium service} and {@code jilium bpf lb} against a stand-in agent on a Unix socket. */
class ServiceCommandTest {
  private final List<Object> requests = new CopyOnWriteArrayList<>();
  private StandInAgent agent;

  @BeforeEach
  void start() {
    agent = new StandInAgent(new StandIn());
  }

  @AfterEach
  void stop() throws Exception {
    agent.close();
  }

  private static LbAddress addr(String ip, int port, String proto) {
    return LbAddress.newBuilder().setIp(ip).setPort(port).setProtocol(proto).build();
  }

  private static final LbService WEB =
      LbService.newBuilder()
          .setId(1)
          .setFrontend(addr("10.202.0.1", 80, "TCP"))
          .setType("ClusterIP")
          .setNamespace("shop")
          .setName("web")
          .setPortName("http")
          .addFlags("ClusterIP")
          .addFlags("non-routable")
          .addBackends(
              LbBackend.newBuilder()
                  .setId(1)
                  .setAddress(addr("10.200.0.5", 8080, "TCP"))
                  .setState("active"))
          .addBackends(
              LbBackend.newBuilder()
                  .setId(2)
                  .setAddress(addr("10.200.0.6", 8080, "TCP"))
                  .setState("terminating"))
          .build();

  private static final LbService NODE_PORT =
      LbService.newBuilder()
          .setId(2)
          .setFrontend(addr("::", 30000, "TCP"))
          .setType("NodePort")
          .setNamespace("shop")
          .setName("web")
          .build();

  private final class StandIn extends AgentGrpc.AgentImplBase {
    @Override
    public void serviceList(ServiceListRequest r, StreamObserver<ServiceListResponse> o) {
      requests.add(r);
      if (r.getId() == 9) {
        o.onError(Status.NOT_FOUND.withDescription("service 9 not found").asRuntimeException());
        return;
      }
      ServiceListResponse.Builder b = ServiceListResponse.newBuilder();
      if (r.getId() == 0 || r.getId() == 1) {
        b.addServices(WEB);
      }
      if (r.getId() == 0) {
        b.addServices(NODE_PORT);
      }
      o.onNext(b.build());
      o.onCompleted();
    }

    @Override
    public void bpfLbList(BpfLbListRequest r, StreamObserver<BpfLbListResponse> o) {
      requests.add(r);
      BpfLbListResponse.Builder b = BpfLbListResponse.newBuilder();
      if (r.getRevnat()) {
        b.addRevNat(LbRevNatEntry.newBuilder().setId(1).setAddress(addr("10.202.0.1", 80, "")));
      } else {
        b.addEntries(
            LbMapEntry.newBuilder()
                .setFrontend(addr("10.202.0.1", 80, "TCP"))
                .setSlot(0)
                .setRevNatIndex(1)
                .setCount(1)
                .addFlags("ClusterIP")
                .addFlags("non-routable"));
        b.addEntries(
            LbMapEntry.newBuilder()
                .setFrontend(addr("10.202.0.1", 80, "TCP"))
                .setSlot(1)
                .setRevNatIndex(1)
                .setBackendId(1)
                .setBackend(addr("10.200.0.5", 8080, "TCP"))
                .setBackendState("active"));
        b.addEntries(
            LbMapEntry.newBuilder()
                .setFrontend(addr("10.202.0.1", 80, "TCP"))
                .setSlot(2)
                .setRevNatIndex(1)
                .setBackendId(7));
      }
      o.onNext(b.build());
      o.onCompleted();
    }

    @Override
    public void bpfLbMaglevGet(BpfLbMaglevGetRequest r, StreamObserver<BpfLbMaglevGetResponse> o) {
      requests.add(r);
      o.onNext(
          BpfLbMaglevGetResponse.newBuilder()
              .setServiceId(r.getServiceId())
              .addTables(
                  LbMaglevTable.newBuilder()
                      .setFamily("IPv4")
                      .addAllBackendIds(List.of(1, 2, 1, 1, 2, 2, 1)))
              .build());
      o.onCompleted();
    }
  }

  private int run(String... args) {
    return agent.run(args);
  }

  private String stdout() {
    return agent.stdout();
  }

  @Test
  void serviceListLikeCilium() {
    assertThat(run("service", "list")).isZero();
    assertThat(stdout())
        .isEqualTo(
            """
            ID   Frontend            Service Type   Backend
            1    10.202.0.1:80/TCP   ClusterIP      1 => 10.200.0.5:8080/TCP (active)
                                                    2 => 10.200.0.6:8080/TCP (terminating)
            2    [::]:30000/TCP      NodePort
            """);
    assertThat(requests).containsExactly(ServiceListRequest.getDefaultInstance());
  }

  @Test
  void serviceListJson() {
    assertThat(run("service", "list", "-o", "json")).isZero();
    assertThat(stdout()).startsWith("[\n  {\n    \"id\": 1,\n    \"frontend\": {\n");
    assertThat(stdout()).contains("\"state\": \"terminating\"").contains("\"type\": \"NodePort\"");
  }

  @Test
  void serviceGetAskesForOneId() {
    assertThat(run("service", "get", "1")).isZero();
    assertThat(stdout()).startsWith("ID   Frontend").contains("10.202.0.1:80/TCP");
    assertThat(stdout()).doesNotContain("30000");
    assertThat(requests).containsExactly(ServiceListRequest.newBuilder().setId(1).build());
  }

  @Test
  void serviceGetOfAnUnknownIdFails() {
    assertThat(run("service", "get", "9")).isEqualTo(1);
    assertThat(agent.stderr()).isEqualTo("Error: service 9 not found\n");
  }

  @Test
  void serviceGetChecksTheIdBeforeAsking() {
    assertThat(run("service", "get", "0")).isEqualTo(1);
    assertThat(agent.stderr()).isEqualTo("Error: service id 0 (expected: 1-65535)\n");
    assertThat(requests).isEmpty();
  }

  @Test
  void bpfLbListLikeCilium() {
    assertThat(run("bpf", "lb", "list")).isZero();
    assertThat(stdout())
        .isEqualTo(
            """
            SERVICE ADDRESS         BACKEND ADDRESS (REVNAT_ID) (SLOT)
            10.202.0.1:80/TCP (0)   0.0.0.0:0 (1) (0) [ClusterIP, non-routable]
            10.202.0.1:80/TCP (1)   10.200.0.5:8080/TCP (1) (1)
            10.202.0.1:80/TCP (2)   backend 7 not found
            """);
  }

  @Test
  void bpfLbListRevNat() {
    assertThat(run("bpf", "lb", "list", "--revnat")).isZero();
    assertThat(stdout()).isEqualTo("ID   SERVICE ADDRESS\n1    10.202.0.1:80\n");
  }

  @Test
  void bpfLbMaglevGet() {
    assertThat(run("bpf", "lb", "maglev", "get", "5")).isZero();
    assertThat(stdout())
        .isEqualTo(
            """
            SVC ID   FAMILY   BACKEND SLOTS   LUT
            5        IPv4     1: 4            [ 1 2 1 1 2 2 1 ]
                              2: 3
            """);
    assertThat(requests)
        .containsExactly(BpfLbMaglevGetRequest.newBuilder().setServiceId(5).build());
  }
}
