package io.jilium.core.resource;

/** A field of a document is wrong; {@code path} is like {@code spec.ingress[0].toPorts}. */
public final class FieldException extends RuntimeException {
  private final String path;
  private final String reason;

  public FieldException(String path, String reason) {
    super(path + ": " + reason);
    this.path = path;
    this.reason = reason;
  }

  public String path() {
    return path;
  }

  public String reason() {
    return reason;
  }
}
