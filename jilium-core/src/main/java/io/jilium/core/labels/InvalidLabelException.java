package io.jilium.core.labels;

/** A label key or value breaks Kubernetes' syntax. */
public final class InvalidLabelException extends IllegalArgumentException {
  public InvalidLabelException(String message) {
    super(message);
  }
}
