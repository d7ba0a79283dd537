package io.jilium.core.policy;

/** A port an endpoint declares by name ({@code jilium pod run --port http=80/TCP}). */
public record NamedPort(String name, int port, Protocol protocol) {
  public NamedPort {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "named port " + name + ": port " + port + " (expected: 1-65535)");
    }
    if (protocol != Protocol.TCP && protocol != Protocol.UDP && protocol != Protocol.SCTP) {
      throw new IllegalArgumentException(
          "named port " + name + ": protocol " + protocol + " (expected: TCP, UDP or SCTP)");
    }
  }
}
