package io.jilium.cli.rpc;

/** A gRPC call failed: the status code name (as gRPC names them) and the message. */
public final class RpcException extends RuntimeException {
  private final String code;

  public RpcException(String code, String message) {
    super(message);
    this.code = code;
  }

  /** OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, ..., UNAVAILABLE. */
  public String code() {
    return code;
  }

  static String codeName(int code) {
    String[] names = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED"
    };
    return code >= 0 && code < names.length ? names[code] : "UNKNOWN";
  }
}
