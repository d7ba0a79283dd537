package io.jilium.agent;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sizes as Kubernetes quantities write them: {@code 1Gi}, {@code 512Mi}, {@code 100M}, bytes. */
final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+)(Ki|Mi|Gi|Ti|K|M|G|T)?");

  private Sizes() {}

  static long parse(String s) {
    Matcher m = SIZE.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "size \"" + s + "\" (expected a number of bytes, optionally with Ki, Mi, Gi, K, M or G)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2);
    long mul =
        switch (unit) {
          case "Ki" -> 1L << 10;
          case "Mi" -> 1L << 20;
          case "Gi" -> 1L << 30;
          case "Ti" -> 1L << 40;
          case "K" -> 1_000L;
          case "M" -> 1_000_000L;
          case "G" -> 1_000_000_000L;
          case "T" -> 1_000_000_000_000L;
          default -> 1L;
        };
    return Math.multiplyExact(n, mul);
  }
}
