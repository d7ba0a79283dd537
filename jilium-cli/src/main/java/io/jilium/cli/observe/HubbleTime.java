package io.jilium.cli.observe;

import com.google.protobuf.Timestamp;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Times as Hubble's CLI reads and prints them: {@code --since}/{@code --until} take a Go duration
 * back from now ({@code 5m}, {@code 1h30m}, {@code 300ms}) or an absolute time (RFC 3339, {@code
 * 2006-01-02}, {@code 2006-01-02T15Z07:00}, {@code 2006-01-02T15:04Z07:00}, RFC 1123 with numeric
 * zone); {@code --time-format} names a layout for printing, always in UTC as Hubble prints.
 */
public final class HubbleTime {
  private HubbleTime() {}

  /** The {@code --time-format} names, in help order. */
  public static final List<String> FORMAT_NAMES =
      List.of(
          "StampMilli",
          "YearMonthDay",
          "YearMonthDayHour",
          "YearMonthDayHourMinute",
          "RFC3339",
          "RFC3339Milli",
          "RFC3339Micro",
          "RFC3339Nano",
          "RFC1123Z");

  private static final Pattern DURATION =
      Pattern.compile("([-+]?)((?:(?:\\d+\\.?\\d*|\\.\\d+)(?:ns|us|µs|μs|ms|s|m|h))+)");
  private static final Pattern DURATION_PART =
      Pattern.compile("(\\d+\\.?\\d*|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");

  private static final DateTimeFormatter HOUR =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HHXXX", Locale.ROOT);
  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mmXXX", Locale.ROOT);

  /**
   * Reads a {@code --since}/{@code --until} value.
   *
   * @throws IllegalArgumentException saying what forms are accepted
   */
  public static Instant parse(String text, Instant now) {
    String s = text.strip();
    if (s.equals("0")) {
      return now;
    }
    Matcher m = DURATION.matcher(s);
    if (m.matches()) {
      Duration d = duration(m.group(2));
      return m.group(1).equals("-") ? now.plus(d) : now.minus(d);
    }
    try {
      return LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE)
          .atStartOfDay(ZoneOffset.UTC)
          .toInstant();
    } catch (DateTimeParseException e) {
      // next form
    }
    for (DateTimeFormatter f :
        List.of(
            HOUR,
            MINUTE,
            DateTimeFormatter.ISO_OFFSET_DATE_TIME,
            DateTimeFormatter.RFC_1123_DATE_TIME)) {
      try {
        return OffsetDateTime.parse(s, f).toInstant();
      } catch (DateTimeParseException e) {
        // next form
      }
    }
    throw new IllegalArgumentException(
        "\""
            + text
            + "\" (expected: a duration back from now like 30s, 5m, 2h or 1h30m, or a time like"
            + " 2024-05-01T10:00:00Z, 2024-05-01T10:00:00.5+02:00, 2024-05-01, 2024-05-01T10Z,"
            + " 2024-05-01T10:30Z or \"Wed, 01 May 2024 10:00:00 +0000\")");
  }

  private static Duration duration(String parts) {
    BigDecimal nanos = BigDecimal.ZERO;
    Matcher m = DURATION_PART.matcher(parts);
    while (m.find()) {
      long unit =
          switch (m.group(2)) {
            case "ns" -> 1L;
            case "us", "µs", "μs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            default -> 3_600_000_000_000L;
          };
      nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
    }
    return Duration.ofNanos(nanos.longValue());
  }

  public static Timestamp toTimestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }

  /**
   * The printer for a {@code --time-format} name (case does not matter); a missing time (null)
   * prints as {@code N/A}.
   *
   * @throws IllegalArgumentException listing the names
   */
  public static Function<Timestamp, String> formatter(String name) {
    DateTimeFormatter f =
        switch (name.toLowerCase(Locale.ROOT)) {
          case "stampmilli" -> DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss.SSS", Locale.ROOT);
          case "yearmonthday" -> DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ROOT);
          case "yearmonthdayhour" -> HOUR;
          case "yearmonthdayhourminute" -> MINUTE;
          case "rfc3339" -> rfc3339(0);
          case "rfc3339milli" -> rfc3339(3);
          case "rfc3339micro" -> rfc3339(6);
          case "rfc3339nano" -> rfc3339(9);
          case "rfc1123z" ->
              DateTimeFormatter.ofPattern("EEE, dd MMM uuuu HH:mm:ss xx", Locale.ROOT);
          default ->
              throw new IllegalArgumentException(
                  "\"" + name + "\" (expected one of: " + String.join(", ", FORMAT_NAMES) + ")");
        };
    DateTimeFormatter utc = f.withZone(ZoneOffset.UTC);
    return ts ->
        ts == null ? "N/A" : utc.format(Instant.ofEpochSecond(ts.getSeconds(), ts.getNanos()));
  }

  /** RFC 3339 with up to {@code digits} fractional digits, trailing zeros dropped (Go's .999). */
  private static DateTimeFormatter rfc3339(int digits) {
    DateTimeFormatterBuilder b =
        new DateTimeFormatterBuilder()
            .appendValue(ChronoField.YEAR, 4, 10, SignStyle.EXCEEDS_PAD)
            .appendPattern("-MM-dd'T'HH:mm:ss");
    if (digits > 0) {
      b.appendFraction(ChronoField.NANO_OF_SECOND, 0, digits, true);
    }
    return b.appendPattern("XXX").toFormatter(Locale.ROOT);
  }
}
