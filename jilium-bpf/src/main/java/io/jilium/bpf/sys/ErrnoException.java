package io.jilium.bpf.sys;

/**
 * A failed system or libbpf call: names the call, the errno and what it was operating on, e.g.
 * {@code bpf_map_update_elem(jl_ipcache): E2BIG}.
 */
public class ErrnoException extends RuntimeException {
  private final String call;
  private final int errno;

  public ErrnoException(String call, int errno) {
    this(call, errno, null);
  }

  public ErrnoException(String call, int errno, String detail) {
    super(
        call
            + ": "
            + Errno.name(errno)
            + (detail == null || detail.isEmpty() ? "" : " (" + detail + ")"));
    this.call = call;
    this.errno = Math.abs(errno);
  }

  /** The call that failed, with its subject, e.g. {@code bpf_obj_get(/sys/fs/bpf/x)}. */
  public String call() {
    return call;
  }

  /** The positive errno value. */
  public int errno() {
    return errno;
  }
}
