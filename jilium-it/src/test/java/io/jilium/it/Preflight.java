package io.jilium.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the system tests need from the machine; checked once, failing with what to do. */
final class Preflight {
  private static boolean checked;

  private Preflight() {}

  static synchronized void check() {
    if (checked) {
      return;
    }
    List<String> problems = new ArrayList<>();
    try {
      String status = Files.readString(Path.of("/proc/self/status"));
      if (!status.lines().anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"))) {
        problems.add(
            "they need root: run sudo ./run-tests (or exclude them: -Djilium.test.excludedGroups=kernel)");
      }
      if (!Files.readString(Path.of("/proc/mounts"))
          .lines()
          .anyMatch(l -> l.contains(" /sys/fs/bpf bpf "))) {
        problems.add("bpffs is not mounted at /sys/fs/bpf: mount -t bpf bpf /sys/fs/bpf");
      }
    } catch (IOException e) {
      problems.add("cannot read /proc: " + e);
    }
    for (String tool : List.of("socat", "ping", "nsenter", "ss", "ip", "setsid")) {
      if (!onPath(tool)) {
        problems.add(tool + " is not installed (scripts/setup.sh installs what the tests need)");
      }
    }
    Jilium.jar();
    if (!problems.isEmpty()) {
      throw new AssertionError(
          "the Jilium system tests cannot run here:\n  " + String.join("\n  ", problems));
    }
    checked = true;
  }

  private static boolean onPath(String tool) {
    for (String d :
        System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }
}
