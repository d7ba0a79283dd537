package io.jilium.bpf;

import io.jilium.bpf.sys.ErrnoException;
import java.nio.file.Path;

/** Loading an object failed; for verifier rejections {@link #verifierLog()} says why. */
public final class BpfLoadException extends ErrnoException {
  private final String verifierLog;

  public BpfLoadException(Path file, int errno, String verifierLog) {
    super(
        "bpf_object__load(" + file.getFileName() + ")",
        errno,
        verifierLog.isBlank()
            ? "no verifier log; see the libbpf messages above"
            : "verifier log (tail):\n" + tail(verifierLog, 40));
    this.verifierLog = verifierLog;
  }

  public String verifierLog() {
    return verifierLog;
  }

  private static String tail(String log, int lines) {
    String[] all = log.strip().split("\n");
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
  }
}
