package io.jilium.bpf.loader;

import java.util.Locale;

/**
 * What the agent tells the pod datapath at run time ({@code struct lxc_config} in the {@code
 * jl_config} map): how much to report.
 *
 * @param aggregation how established connections are traced
 * @param reportIntervalSeconds medium aggregation traces an active connection again this often
 * @param reportTcpFlags TCP flags (FIN 0x01, SYN 0x02, RST 0x04, ...) whose first appearance in a
 *     direction of a connection is traced under medium and maximum aggregation
 * @param traceEnabled trace events at all (off: only drops and policy verdicts)
 * @param policyVerdictEnabled policy verdict events for new connections
 */
public record DatapathConfig(
    MonitorAggregation aggregation,
    int reportIntervalSeconds,
    int reportTcpFlags,
    boolean traceEnabled,
    boolean policyVerdictEnabled) {
  public static final int TCP_FIN = 0x01;
  public static final int TCP_SYN = 0x02;
  public static final int TCP_RST = 0x04;

  /** Cilium's defaults: medium aggregation, 5 s interval, SYN, FIN and RST reported. */
  public static final DatapathConfig DEFAULTS =
      new DatapathConfig(MonitorAggregation.MEDIUM, 5, TCP_FIN | TCP_SYN | TCP_RST, true, true);

  public DatapathConfig {
    if (reportIntervalSeconds < 0) {
      throw new IllegalArgumentException(
          "monitor aggregation interval " + reportIntervalSeconds + "s (expected: 0 or more)");
    }
    if (reportTcpFlags < 0 || reportTcpFlags > 0xff) {
      throw new IllegalArgumentException("TCP flags mask " + reportTcpFlags + " (expected: 0-255)");
    }
  }

  /**
   * {@code --monitor-aggregation}, with Cilium's names and numbers. none: every packet at every
   * observation point; low: no from-* observation points; medium: also established connections only
   * on new TCP flags and every interval; maximum: only on new TCP flags.
   */
  public enum MonitorAggregation {
    NONE(0),
    LOW(2),
    MEDIUM(3),
    MAXIMUM(4);

    private final int level;

    MonitorAggregation(int level) {
      this.level = level;
    }

    public int level() {
      return level;
    }

    public static MonitorAggregation parse(String s) {
      return switch (s.toLowerCase(Locale.ROOT)) {
        case "none", "disabled", "" -> NONE;
        case "lowest", "low" -> LOW;
        case "medium" -> MEDIUM;
        case "max", "maximum" -> MAXIMUM;
        default ->
            throw new IllegalArgumentException(
                "monitor aggregation \"" + s + "\" (expected: none, low, medium or maximum)");
      };
    }
  }

  /**
   * Parses Cilium's {@code --monitor-aggregation-flags}: e.g. {@code syn,fin,rst} or {@code all}.
   */
  public static int parseTcpFlags(String list) {
    int mask = 0;
    for (String f : list.split(",")) {
      mask |=
          switch (f.strip().toLowerCase(Locale.ROOT)) {
            case "fin" -> TCP_FIN;
            case "syn" -> TCP_SYN;
            case "rst" -> TCP_RST;
            case "psh" -> 0x08;
            case "ack" -> 0x10;
            case "urg" -> 0x20;
            case "ece" -> 0x40;
            case "cwr" -> 0x80;
            case "all" -> 0xff;
            case "none", "" -> 0;
            default ->
                throw new IllegalArgumentException(
                    "TCP flag \""
                        + f.strip()
                        + "\" (expected a list of: syn, fin, rst, psh, ack, urg, ece, cwr, all)");
          };
    }
    return mask;
  }
}
