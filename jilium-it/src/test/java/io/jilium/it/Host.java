package io.jilium.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The host as the tests see it: commands, processes, routes, links. */
final class Host {
  private Host() {}

  /** Runs a command to completion (bounded); fails the test on a non-zero exit. */
  static String run(String... argv) {
    try (Proc p = Proc.start(List.of(argv))) {
      p.closeStdin();
      int rc = p.waitForOrFail(Duration.ofSeconds(30));
      if (rc != 0) {
        throw new AssertionError(
            String.join(" ", argv) + ": exit " + rc + "\n" + p.stdout() + p.stderr());
      }
      return p.stdout();
    }
  }

  /** Alive and not a zombie (a zombie holds no namespace and no socket). */
  static boolean processAlive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  static String cmdline(long pid) {
    try {
      return new String(
              Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
          .replace('\0', ' ')
          .trim();
    } catch (IOException e) {
      return "?";
    }
  }

  static boolean linkExists(String name) {
    return Files.exists(Path.of("/sys/class/net", name));
  }

  /**
   * Routes (any table) that mention an address starting with one of these prefixes; a null {@code
   * v6Prefix} looks at IPv4 routes only.
   */
  static List<String> routesWithin(String v4Prefix, String v6Prefix) {
    List<String> out = new ArrayList<>();
    for (String line : run("ip", "-4", "route", "show", "table", "all").split("\n")) {
      if (mentions(line, v4Prefix)) {
        out.add(line.trim());
      }
    }
    if (v6Prefix == null) {
      return out;
    }
    for (String line : run("ip", "-6", "route", "show", "table", "all").split("\n")) {
      if (mentions(line, v6Prefix)) {
        out.add(line.trim());
      }
    }
    return out;
  }

  /** Routes (any table) to exactly these addresses. */
  static List<String> routesTo(String ipv4, String ipv6) {
    List<String> out = new ArrayList<>();
    for (String line : run("ip", "-4", "route", "show", "table", "all").split("\n")) {
      if (List.of(line.trim().split("\\s+")).contains(ipv4)) {
        out.add(line.trim());
      }
    }
    for (String line : run("ip", "-6", "route", "show", "table", "all").split("\n")) {
      if (List.of(line.trim().split("\\s+")).contains(ipv6)) {
        out.add(line.trim());
      }
    }
    return out;
  }

  private static boolean mentions(String line, String prefix) {
    for (String word : line.trim().split("\\s+")) {
      if (word.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
