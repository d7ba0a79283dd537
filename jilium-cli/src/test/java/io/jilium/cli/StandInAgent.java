package io.jilium.cli;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * For CLI tests: gRPC services standing in for the agent on a temporary Unix socket, and the CLI
 * run against it with standard output and error captured.
 */
final class StandInAgent implements AutoCloseable {
  /** Netty's warnings about socket options would land in the captured standard error. */
  private static final Logger NETTY = Logger.getLogger("io.grpc.netty.shaded.io.netty");

  static {
    NETTY.setLevel(Level.OFF);
  }

  private final Path dir;
  private final Path socket;
  private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final PrintStream realOut = System.out;
  private final PrintStream realErr = System.err;
  private Server server;

  /** Serves {@code services} and captures System.out and System.err until {@link #close}. */
  StandInAgent(BindableService... services) {
    try {
      dir = Files.createTempDirectory("jl-cli");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    socket = dir.resolve("s.sock");
    serve(services);
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  /** Serves other services on the same socket. */
  void serve(BindableService... services) {
    try {
      if (server != null) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        Files.deleteIfExists(socket);
      }
      NettyServerBuilder b =
          NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
              .channelType(EpollServerDomainSocketChannel.class)
              .bossEventLoopGroup(group)
              .workerEventLoopGroup(group);
      for (BindableService s : services) {
        b.addService(s);
      }
      server = b.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Path socket() {
    return socket;
  }

  Path dir() {
    return dir;
  }

  /** {@code jilium --socket <socket> args...}: the exit code. */
  int run(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--socket";
    all[1] = socket.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    return JiliumMain.run(all);
  }

  String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws Exception {
    System.setOut(realOut);
    System.setErr(realErr);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).sync();
    Files.deleteIfExists(socket);
    Files.deleteIfExists(dir);
  }
}
