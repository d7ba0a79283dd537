package io.jilium.core.service;

/** A ClusterIP request that cannot be met; the message names the Service and the field. */
public final class ServiceIpException extends RuntimeException {
  public ServiceIpException(String message) {
    super(message);
  }
}
