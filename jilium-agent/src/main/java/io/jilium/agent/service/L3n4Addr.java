package io.jilium.agent.service;

import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.IpFamily;
import java.util.Arrays;
import java.util.Objects;

/**
 * An address, port and L4 protocol, as Cilium's {@code L3n4Addr}: a frontend (the address is the
 * unspecified address for a NodePort's wildcard entry) or a backend. The address is canonical text;
 * its bytes are kept too, since keys are compared and sorted by the ten thousand. Immutable.
 */
public final class L3n4Addr implements Comparable<L3n4Addr> {
  private String address; // canonical text, made on first use (most are only compared)
  private final byte[] bytes;
  private final int port;
  private final Protocol protocol;
  private final int hash; // keys of maps and sets of tens of thousands

  public L3n4Addr(String address, int port, Protocol protocol) {
    this(IpAddress.parse(address), port, protocol);
  }

  private L3n4Addr(byte[] bytes, int port, Protocol protocol) {
    this.protocol = Objects.requireNonNull(protocol, "protocol");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " (expected: 0-65535)");
    }
    this.bytes = bytes;
    this.port = port;
    this.hash = (Arrays.hashCode(bytes) * 31 + port) * 31 + protocol.ordinal();
  }

  /** The wildcard frontend of a node port: any local address of the family. */
  public static L3n4Addr anyAddress(IpFamily family, int port, Protocol protocol) {
    return new L3n4Addr(new byte[family == IpFamily.IPV4 ? 4 : 16], port, protocol);
  }

  /** The same address and port with another protocol. */
  public L3n4Addr withProtocol(Protocol p) {
    return p == protocol ? this : new L3n4Addr(bytes, port, p);
  }

  /** Parses {@link #toString()}'s form: {@code 10.0.0.1:80/TCP} or {@code [fd00::1]:80/UDP}. */
  public static L3n4Addr parse(String s) {
    int slash = s.lastIndexOf('/');
    int colon = s.lastIndexOf(':', slash);
    if (slash < 0 || colon < 0) {
      throw new IllegalArgumentException(
          "\"" + s + "\" (expected: address:port/protocol, e.g. 10.0.0.1:80/TCP)");
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    Protocol p =
        Protocol.byPolicyName(s.substring(slash + 1))
            .orElseThrow(
                () -> new IllegalArgumentException("\"" + s + "\": protocol (expected: TCP, UDP)"));
    return new L3n4Addr(host, Integer.parseInt(s.substring(colon + 1, slash)), p);
  }

  public String address() {
    String a = address;
    if (a == null) {
      // racy but benign: every thread computes the same immutable text
      a = IpAddress.format(bytes);
      address = a;
    }
    return a;
  }

  public int port() {
    return port;
  }

  public Protocol protocol() {
    return protocol;
  }

  public IpFamily family() {
    return bytes.length == 4 ? IpFamily.IPV4 : IpFamily.IPV6;
  }

  /** 4 or 16 bytes (a copy). */
  public byte[] bytes() {
    return bytes.clone();
  }

  public boolean isAnyAddress() {
    for (byte b : bytes) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }

  /** By family, address, port, protocol. */
  @Override
  public int compareTo(L3n4Addr o) {
    int c = Integer.compare(bytes.length, o.bytes.length);
    if (c == 0) {
      c = Arrays.compareUnsigned(bytes, o.bytes);
    }
    if (c == 0) {
      c = Integer.compare(port, o.port);
    }
    return c != 0 ? c : protocol.compareTo(o.protocol);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof L3n4Addr a
        && hash == a.hash
        && port == a.port
        && protocol == a.protocol
        && Arrays.equals(bytes, a.bytes);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return (family() == IpFamily.IPV6 ? "[" + address() + "]" : address())
        + ":"
        + port
        + "/"
        + protocol;
  }
}
