package io.jilium.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The {@code --name value} arguments of the benchmark mains that the bench/ scripts run. */
final class BenchArgs {
  private BenchArgs() {}

  static Map<String, String> parse(String[] args, List<String> required) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "argument " + args[i] + " (expected: --name value pairs)");
      }
      m.put(args[i].substring(2), args[++i]);
    }
    for (String r : required) {
      if (!m.containsKey(r)) {
        throw new IllegalArgumentException("--" + r + " is required");
      }
    }
    return m;
  }
}
