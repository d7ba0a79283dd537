package io.jilium.core.resource;

import java.util.Optional;

/** An IP family as the Kubernetes API writes it ({@code IPv4}, {@code IPv6}). */
public enum IpFamily {
  IPV4("IPv4", 4),
  IPV6("IPv6", 16);

  private final String apiName;
  private final int addressBytes;

  IpFamily(String apiName, int addressBytes) {
    this.apiName = apiName;
    this.addressBytes = addressBytes;
  }

  public String apiName() {
    return apiName;
  }

  /** The family of a 4- or 16-byte address. */
  public static IpFamily of(byte[] address) {
    return address.length == 4 ? IPV4 : IPV6;
  }

  public boolean matches(byte[] address) {
    return address.length == addressBytes;
  }

  public static Optional<IpFamily> byApiName(String s) {
    for (IpFamily f : values()) {
      if (f.apiName.equals(s)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return apiName;
  }
}
