package io.jilium.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks made before the agent touches the kernel. */
final class Preconditions {
  private Preconditions() {}

  static void requireRoot() {
    if (effectiveUid() != 0) {
      throw new IllegalStateException(
          "jilium agent must run as root (it loads BPF programs and creates network devices); try: sudo ./jilium agent");
    }
  }

  static int effectiveUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.split("\\s+")[2]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
