package io.jilium.cli;

import io.jilium.cli.rpc.RpcException;
import io.jilium.cli.rpc.UnixGrpcChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** A connection to the agent's Unix socket. */
final class AgentClient implements AutoCloseable {
  static final String DEFAULT_SOCKET = "/var/run/jilium/jilium.sock";

  private final Path socket;
  private UnixGrpcChannel channel;

  AgentClient(Path socket) {
    this.socket = socket;
  }

  /** The socket from --socket, else $JILIUM_SOCKET, else the default. */
  static Path resolveSocket(Path flag) {
    if (flag != null) {
      return flag;
    }
    String env = System.getenv("JILIUM_SOCKET");
    return Path.of(env != null && !env.isEmpty() ? env : DEFAULT_SOCKET);
  }

  /** Connects (once) and returns the API; fails with advice when the agent is not there. */
  AgentApi api() {
    if (channel == null) {
      checkReachable();
      try {
        channel = new UnixGrpcChannel(socket);
      } catch (RpcException e) {
        throw translate(e);
      }
    }
    return new AgentApi(channel);
  }

  void checkReachable() {
    if (!Files.exists(socket)) {
      throw new CliException(notRunning("no such socket"));
    }
    if (!Files.isWritable(socket)) {
      throw new CliException(
          "permission denied on "
              + socket
              + ": the agent's socket is for root; run jilium as root (sudo)");
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

  /** Turns a failed call into the message the user sees. */
  CliException translate(RpcException e) {
    return switch (e.code()) {
      case "UNAVAILABLE" -> new CliException(notRunning(e.getMessage()));
      case "NOT_FOUND",
          "INVALID_ARGUMENT",
          "ALREADY_EXISTS",
          "FAILED_PRECONDITION",
          "RESOURCE_EXHAUSTED" ->
          new CliException(e.getMessage());
      default -> new CliException("agent error: " + e.getMessage());
    };
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close();
    }
  }
}
