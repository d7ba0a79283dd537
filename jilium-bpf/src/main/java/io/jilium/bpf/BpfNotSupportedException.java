package io.jilium.bpf;

/** The kernel lacks a BPF feature the datapath needs; the message names it. */
public final class BpfNotSupportedException extends RuntimeException {
  private final String feature;

  public BpfNotSupportedException(String feature, String detail) {
    super(
        "the kernel lacks a BPF feature Jilium needs: "
            + feature
            + (detail.isEmpty() ? "" : " (" + detail + ")"));
    this.feature = feature;
  }

  public String feature() {
    return feature;
  }
}
