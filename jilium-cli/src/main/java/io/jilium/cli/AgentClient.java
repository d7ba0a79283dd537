package io.jilium.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory;
import io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory;
import io.jilium.api.agent.v1.AgentGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A connection to the agent's Unix socket. */
final class AgentClient implements AutoCloseable {
  static final String DEFAULT_SOCKET = "/var/run/jilium/jilium.sock";

  /** Held so java.util.logging does not forget the level set on it. */
  private static final java.util.logging.Logger NETTY_LOG =
      java.util.logging.Logger.getLogger("io.grpc.netty.shaded.io.netty");

  static {
    // keep Netty off SLF4J: the CLI must not pay for starting a logging framework
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
    // Netty warns that Unix sockets have no SO_KEEPALIVE; users need not see that
    NETTY_LOG.setLevel(java.util.logging.Level.SEVERE);
  }

  private final Path socket;
  private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
  private final ManagedChannel channel;

  AgentClient(Path socket) {
    this.socket = socket;
    this.channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(group)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .maxInboundMessageSize(64 * 1024 * 1024)
            .build();
  }

  /** The socket from --socket, else $JILIUM_SOCKET, else the default. */
  static Path resolveSocket(Path flag) {
    if (flag != null) {
      return flag;
    }
    String env = System.getenv("JILIUM_SOCKET");
    return Path.of(env != null && !env.isEmpty() ? env : DEFAULT_SOCKET);
  }

  AgentGrpc.AgentBlockingStub blocking() {
    checkReachable();
    return AgentGrpc.newBlockingStub(channel);
  }

  /** Fails early with advice when the socket is missing or not ours to use. */
  void checkReachable() {
    if (!Files.exists(socket)) {
      throw new CliException(notRunning("no such socket"));
    }
    if (!Files.isWritable(socket)) {
      throw new CliException(
          "permission denied on " + socket + ": the agent's socket is for root; run jilium as root (sudo)");
    }
  }

  String notRunning(String why) {
    return "cannot reach the Jilium agent at "
        + socket
        + " ("
        + why
        + "). Is it running? Start it with: sudo ./jilium agent"
        + (socket.toString().equals(DEFAULT_SOCKET) ? "" : " --socket " + socket)
        + " (or point --socket / JILIUM_SOCKET at a running agent)";
  }

  /** Turns a gRPC failure into the message the user sees. */
  CliException translate(StatusRuntimeException e) {
    Status s = e.getStatus();
    String d = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    return switch (s.getCode()) {
      case UNAVAILABLE -> new CliException(notRunning(d));
      case NOT_FOUND, INVALID_ARGUMENT, ALREADY_EXISTS, FAILED_PRECONDITION, RESOURCE_EXHAUSTED ->
          new CliException(d);
      default -> new CliException("agent error: " + d);
    };
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
  }
}
