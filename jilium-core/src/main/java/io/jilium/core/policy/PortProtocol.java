package io.jilium.core.policy;

/**
 * A port (or range {@code port..endPort}) and protocol from a policy. Port 0 means every port. A
 * named port ({@code portName} non-null) is resolved per destination endpoint.
 */
public record PortProtocol(int port, int endPort, Protocol protocol, String portName) {
  public PortProtocol {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " (expected: 0-65535)");
    }
    if (endPort != 0 && (endPort < port || endPort > 65535)) {
      throw new IllegalArgumentException(
          "endPort " + endPort + " (expected: " + port + "-65535, not below port)");
    }
  }

  public static PortProtocol of(int port, Protocol protocol) {
    return new PortProtocol(port, 0, protocol, null);
  }

  public boolean isNamed() {
    return portName != null;
  }

  @Override
  public String toString() {
    String p =
        isNamed() ? portName : (endPort > port ? port + "-" + endPort : Integer.toString(port));
    return p + "/" + protocol;
  }
}
