package io.jilium.cli.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import io.jilium.api.agent.v1.AgentGrpc;
import io.jilium.api.agent.v1.AppliedResource;
import io.jilium.api.agent.v1.ApplyRequest;
import io.jilium.api.agent.v1.ApplyResponse;
import io.jilium.api.agent.v1.Manifest;
import io.jilium.api.agent.v1.MonitorEvent;
import io.jilium.api.agent.v1.MonitorRequest;
import io.jilium.api.agent.v1.StatusRequest;
import io.jilium.api.agent.v1.StatusResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The CLI's gRPC client against a real grpc-java server on a Unix socket. */
class UnixGrpcChannelTest {
  private Path dir;
  private Path socket;
  private Server server;
  private EpollEventLoopGroup group;

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("jl-rpc");
    socket = dir.resolve("s.sock");
    group = new EpollEventLoopGroup(1);
    server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .maxInboundMessageSize(64 << 20)
            .addService(new Fake())
            .build()
            .start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    Files.deleteIfExists(socket);
    Files.deleteIfExists(dir);
  }

  private static final class Fake extends AgentGrpc.AgentImplBase {
    @Override
    public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
      out.onNext(StatusResponse.newBuilder().setNodeName("n1").setHealthy(true).build());
      out.onCompleted();
    }

    @Override
    public void apply(ApplyRequest r, StreamObserver<ApplyResponse> out) {
      long total = r.getManifestsList().stream().mapToLong(m -> m.getContent().size()).sum();
      if (r.getDelete()) {
        // a long message: Netty Huffman-codes headers of 512 characters and more
        out.onError(
            Status.INVALID_ARGUMENT
                .withDescription("x".repeat(600) + " – ünïcode 100%")
                .asRuntimeException());
        return;
      }
      // what arrived, byte for byte: the CRC-32 of the contents in order
      CRC32 crc = new CRC32();
      r.getManifestsList().forEach(m -> crc.update(m.getContent().asReadOnlyByteBuffer()));
      out.onNext(
          ApplyResponse.newBuilder()
              .setPolicyRevision(total)
              .addResources(AppliedResource.newBuilder().setName(Long.toHexString(crc.getValue())))
              .build());
      out.onCompleted();
    }

    @Override
    public void monitor(MonitorRequest r, StreamObserver<MonitorEvent> out) {
      for (int i = 0; i < 5000; i++) {
        out.onNext(
            MonitorEvent.newBuilder()
                .setReason(i)
                .setSummary("event " + i + " ".repeat(200))
                .build());
      }
      out.onCompleted();
    }
  }

  @Test
  void unaryCallsAndSeveralOnOneConnection() throws Exception {
    try (UnixGrpcChannel ch = new UnixGrpcChannel(socket)) {
      for (int i = 0; i < 3; i++) {
        byte[] resp =
            ch.unary(
                "/jilium.agent.v1.Agent/Status", StatusRequest.getDefaultInstance().toByteArray());
        assertThat(StatusResponse.parseFrom(resp).getNodeName()).isEqualTo("n1");
      }
    }
  }

  /**
   * Requests larger than the window and than a frame, of sizes that put the frame boundaries (and
   * the 5-byte message prefix) at different offsets, arrive byte for byte.
   */
  @Test
  void largeRequestsRespectFlowControlAndArriveIntact() throws Exception {
    Random random = new Random(7);
    try (UnixGrpcChannel ch = new UnixGrpcChannel(socket)) {
      for (int size : new int[] {(3 << 20) + 7, 16_384 - 5 - 8, 16_384, 65_535 * 2 + 1}) {
        byte[] content = new byte[size];
        random.nextBytes(content);
        ApplyRequest req =
            ApplyRequest.newBuilder()
                .addManifests(
                    Manifest.newBuilder().setSource("a").setContent(ByteString.copyFrom(content)))
                .build();
        CRC32 crc = new CRC32();
        crc.update(content);
        ApplyResponse resp =
            ApplyResponse.parseFrom(ch.unary("/jilium.agent.v1.Agent/Apply", req.toByteArray()));
        assertThat(resp.getPolicyRevision()).as("size").isEqualTo(size);
        assertThat(resp.getResources(0).getName())
            .as("CRC-32 of %d bytes", size)
            .isEqualTo(Long.toHexString(crc.getValue()));
      }
    }
  }

  /**
   * Connection-level send credit is spent by every request and returned by the server while the
   * response is read: many requests that together exceed the initial 64 KiB window must all pass.
   */
  @Test
  @Timeout(20) // a client that loses credit waits for a window update forever
  void connectionCreditComesBackBetweenCalls() throws Exception {
    ApplyRequest req =
        ApplyRequest.newBuilder()
            .addManifests(
                Manifest.newBuilder()
                    .setSource("a")
                    .setContent(ByteString.copyFromUtf8("z".repeat(20_000))))
            .build();
    try (UnixGrpcChannel ch = new UnixGrpcChannel(socket)) {
      for (int i = 0; i < 50; i++) {
        byte[] resp = ch.unary("/jilium.agent.v1.Agent/Apply", req.toByteArray());
        assertThat(ApplyResponse.parseFrom(resp).getPolicyRevision()).isEqualTo(20_000L);
      }
    }
  }

  @Test
  void errorsCarryCodeAndFullMessage() {
    ApplyRequest req = ApplyRequest.newBuilder().setDelete(true).build();
    try (UnixGrpcChannel ch = new UnixGrpcChannel(socket)) {
      assertThatThrownBy(() -> ch.unary("/jilium.agent.v1.Agent/Apply", req.toByteArray()))
          .isInstanceOf(RpcException.class)
          .hasMessage("x".repeat(600) + " – ünïcode 100%")
          .extracting(e -> ((RpcException) e).code())
          .isEqualTo("INVALID_ARGUMENT");
      // the connection is still usable after an error
      assertThat(ch.unary("/jilium.agent.v1.Agent/Status", new byte[0])).isNotEmpty();
    }
  }

  @Test
  void unknownMethodIsUnimplemented() {
    try (UnixGrpcChannel ch = new UnixGrpcChannel(socket)) {
      assertThatThrownBy(() -> ch.unary("/jilium.agent.v1.Agent/NoSuch", new byte[0]))
          .isInstanceOf(RpcException.class)
          .extracting(e -> ((RpcException) e).code())
          .isEqualTo("UNIMPLEMENTED");
    }
  }

  @Test
  void serverStreamingDeliversEveryMessageInOrder() throws Exception {
    List<Integer> reasons = new ArrayList<>();
    try (UnixGrpcChannel ch = new UnixGrpcChannel(socket)) {
      ch.call(
          "/jilium.agent.v1.Agent/Monitor",
          new byte[0],
          b -> {
            try {
              reasons.add(MonitorEvent.parseFrom(b).getReason());
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            return true;
          });
    }
    assertThat(reasons).hasSize(5000);
    for (int i = 0; i < reasons.size(); i++) {
      assertThat(reasons.get(i)).isEqualTo(i);
    }
  }

  @Test
  void noServerIsUnavailable() {
    assertThatThrownBy(() -> new UnixGrpcChannel(dir.resolve("missing.sock")))
        .isInstanceOf(RpcException.class)
        .extracting(e -> ((RpcException) e).code())
        .isEqualTo("UNAVAILABLE");
  }
}
