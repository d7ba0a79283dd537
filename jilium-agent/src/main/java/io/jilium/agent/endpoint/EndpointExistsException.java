package io.jilium.agent.endpoint;

/** An endpoint (or pod) with that id or name exists already. */
public final class EndpointExistsException extends IllegalStateException {
  public EndpointExistsException(String message) {
    super(message);
  }
}
