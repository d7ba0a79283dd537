package io.jilium.cli.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** --since/--until values and --time-format layouts. */
class HubbleTimeTest {
  private static final Instant NOW = Instant.parse("2025-11-26T10:00:00Z");

  @ParameterizedTest
  @CsvSource({
    "5m, 2025-11-26T09:55:00Z",
    "2h, 2025-11-26T08:00:00Z",
    "1h30m, 2025-11-26T08:30:00Z",
    "1.5h, 2025-11-26T08:30:00Z",
    "90s, 2025-11-26T09:58:30Z",
    "300ms, 2025-11-26T09:59:59.700Z",
    "0, 2025-11-26T10:00:00Z",
    "-1m, 2025-11-26T10:01:00Z",
    "2025-11-20T08:15:00Z, 2025-11-20T08:15:00Z",
    "2025-11-20T08:15:00.25+02:00, 2025-11-20T06:15:00.25Z",
    "2025-11-20, 2025-11-20T00:00:00Z",
    "2025-11-20T08Z, 2025-11-20T08:00:00Z",
    "2025-11-20T08:15-01:00, 2025-11-20T09:15:00Z",
    "'Thu, 20 Nov 2025 08:15:00 +0100', 2025-11-20T07:15:00Z"
  })
  void sinceAndUntil(String text, String expected) {
    assertThat(HubbleTime.parse(text, NOW)).isEqualTo(Instant.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"yesterday", "5", "5 m", "2025-13-01", "10:00", "1d"})
  void unreadableTimes(String text) {
    assertThatThrownBy(() -> HubbleTime.parse(text, NOW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("\"" + text + "\" (expected: a duration back from now like 30s");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "StampMilli|Nov  6 10:00:01.120",
        "stampmilli|Nov  6 10:00:01.120",
        "YearMonthDay|2025-11-06",
        "YearMonthDayHour|2025-11-06T10Z",
        "YearMonthDayHourMinute|2025-11-06T10:00Z",
        "RFC3339|2025-11-06T10:00:01Z",
        "RFC3339Milli|2025-11-06T10:00:01.12Z",
        "RFC3339Micro|2025-11-06T10:00:01.12Z",
        "RFC3339Nano|2025-11-06T10:00:01.12Z",
        "RFC1123Z|Thu, 06 Nov 2025 10:00:01 +0000"
      })
  void formats(String name, String expected) {
    Timestamp t = HubbleTime.toTimestamp(Instant.parse("2025-11-06T10:00:01.120Z"));
    assertThat(HubbleTime.formatter(name).apply(t)).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void missingTimeAndUnknownFormat() {
    assertThat(HubbleTime.formatter("RFC3339").apply(null)).isEqualTo("N/A");
    assertThat(
            HubbleTime.formatter("RFC3339Nano")
                .apply(HubbleTime.toTimestamp(Instant.parse("2025-11-06T10:00:01.000000007Z"))))
        .isEqualTo("2025-11-06T10:00:01.000000007Z");
    assertThatThrownBy(() -> HubbleTime.formatter("iso"))
        .hasMessage(
            "\"iso\" (expected one of: StampMilli, YearMonthDay, YearMonthDayHour,"
                + " YearMonthDayHourMinute, RFC3339, RFC3339Milli, RFC3339Micro, RFC3339Nano,"
                + " RFC1123Z)");
  }
}
