package io.jilium.agent.service;

/** A node port request that cannot be met; the message names the Service and the field. */
public final class NodePortException extends RuntimeException {
  public NodePortException(String message) {
    super(message);
  }
}
