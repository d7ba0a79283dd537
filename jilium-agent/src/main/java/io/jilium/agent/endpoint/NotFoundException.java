package io.jilium.agent.endpoint;

/** A pod, endpoint, identity or policy that the request names does not exist. */
public final class NotFoundException extends IllegalArgumentException {
  public NotFoundException(String message) {
    super(message);
  }
}
