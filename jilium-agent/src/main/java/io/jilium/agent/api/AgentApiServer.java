package io.jilium.agent.api;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** gRPC on a Unix socket (mode 0660): the only way in to the agent. */
public final class AgentApiServer {
  private final Path socket;
  private final Server server;
  private final EventLoopGroup boss = new EpollEventLoopGroup(1);
  private final EventLoopGroup workers = new EpollEventLoopGroup(2);

  public AgentApiServer(Path socket, BindableService... services) {
    this.socket = socket;
    NettyServerBuilder b =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(workers)
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .maxInboundMessageSize(64 * 1024 * 1024)
            // a whole manifest in flight at once: a 7 MB apply need not wait for window updates
            .flowControlWindow(64 * 1024 * 1024);
    for (BindableService s : services) {
      b.addService(s);
    }
    this.server = b.build();
  }

  public void start() {
    try {
      Files.createDirectories(socket.getParent());
      if (Files.exists(socket)) {
        if (inUse(socket)) {
          throw new IllegalStateException(
              "socket " + socket + " is in use by another agent; give this one another --socket");
        }
        Files.delete(socket);
      }
      server.start();
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
    } catch (IOException e) {
      throw new UncheckedIOException("serve the API on " + socket, e);
    }
  }

  private static boolean inUse(Path socket) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public void stop() {
    server.shutdown();
    try {
      if (!server.awaitTermination(3, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    try {
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // a stale socket is detected and replaced at the next start
    }
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }
}
