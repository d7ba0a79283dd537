package io.jilium.cli;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.StreamObserver;
import io.jilium.api.agent.v1.AgentGrpc;
import io.jilium.api.agent.v1.IdentityListRequest;
import io.jilium.api.agent.v1.IdentityListResponse;
import io.jilium.api.agent.v1.PodListRequest;
import io.jilium.api.agent.v1.PodListResponse;
import io.jilium.api.agent.v1.StatusRequest;
import io.jilium.api.agent.v1.StatusResponse;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The training run for the CLI's AOT cache (JDK 25, {@code -XX:AOTCacheOutput}): serves a stand-in
 * agent on a temporary socket and runs typical commands against it, so the cache holds the classes
 * of the CLI's real paths (picocli, the gRPC client, protobuf, output formatting). The launcher
 * runs it once after each build.
 */
final class AotTraining {
  private AotTraining() {}

  /**
   * The stand-in agent, in its own process so its (server) classes stay out of the CLI's cache:
   * serves on {@code socket} until its standard input closes.
   */
  static int standIn(Path socket) throws Exception {
    io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(
        io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
    EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    Server server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(group)
            .workerEventLoopGroup(group)
            .addService(new StandIn())
            .build()
            .start();
    try {
      System.out.println("ready");
      System.out.flush();
      System.in.transferTo(OutputStream.nullOutputStream());
    } finally {
      server.shutdownNow().awaitTermination(2, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      Files.deleteIfExists(socket);
    }
    return 0;
  }

  /** The training run itself: typical commands against the stand-in. */
  static int train(Path socket) {
    PrintStream realOut = System.out;
    try {
      System.setOut(new PrintStream(OutputStream.nullOutputStream()));
      String s = socket.toString();
      // only table output: every class in the cache is loaded at every start, so the JSON and
      // YAML writers (used less often) stay out
      JiliumMain.run(new String[] {"--socket", s, "status"});
      JiliumMain.run(new String[] {"--socket", s, "pod", "list"});
      JiliumMain.run(new String[] {"--socket", s, "identity", "list"});
      JiliumMain.run(new String[] {"--socket", s, "endpoint", "list"});
      JiliumMain.run(new String[] {"--version"});
    } finally {
      System.setOut(realOut);
    }
    return 0;
  }

  /** Answers with empty results; other calls get UNIMPLEMENTED, which trains the error path. */
  private static final class StandIn extends AgentGrpc.AgentImplBase {
    @Override
    public void status(StatusRequest r, StreamObserver<StatusResponse> out) {
      out.onNext(StatusResponse.newBuilder().setHealthy(true).setNodeName("training").build());
      out.onCompleted();
    }

    @Override
    public void podList(PodListRequest r, StreamObserver<PodListResponse> out) {
      out.onNext(PodListResponse.getDefaultInstance());
      out.onCompleted();
    }

    @Override
    public void identityList(IdentityListRequest r, StreamObserver<IdentityListResponse> out) {
      out.onNext(IdentityListResponse.getDefaultInstance());
      out.onCompleted();
    }
  }
}
