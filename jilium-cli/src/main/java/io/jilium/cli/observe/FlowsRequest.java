package io.jilium.cli.observe;

import io.jilium.api.observer.GetFlowsRequest;
import java.time.Instant;

/**
 * Builds the {@link GetFlowsRequest} of {@code hubble observe} from its selector flags and filter
 * flags, with Hubble's defaults: without {@code --since}, {@code --until} or {@code --first},
 * {@code --all} asks for every stored flow ({@code number} = 2^64-1) and a plain call asks for the
 * last {@value #DEFAULT_LAST} (unless following). {@code --until} is not sent when following.
 */
public final class FlowsRequest {
  /** Hubble's default number of flows for a plain {@code observe}. */
  public static final long DEFAULT_LAST = 20;

  private FlowsRequest() {}

  /**
   * The selector flags; {@code last}/{@code first} are 0 when not given, {@code since}/{@code
   * until} null.
   */
  public record Selectors(
      long last, long first, boolean all, boolean follow, String since, String until) {}

  /**
   * @throws IllegalArgumentException for contradictory selectors or unreadable times, naming the
   *     flags
   */
  public static GetFlowsRequest build(Selectors s, FilterFlags filters, Instant now) {
    if (s.last() < 0) {
      throw new IllegalArgumentException("--last " + s.last() + " (expected: a number >= 1)");
    }
    if (s.first() < 0) {
      throw new IllegalArgumentException("--first " + s.first() + " (expected: a number >= 1)");
    }
    boolean first = s.first() > 0;
    boolean last = s.last() > 0;
    if (first && last) {
      throw new IllegalArgumentException("cannot set both --first and --last");
    }
    if (first && s.all()) {
      throw new IllegalArgumentException("cannot set both --first and --all");
    }
    if (first && s.follow()) {
      throw new IllegalArgumentException("cannot set both --first and --follow");
    }
    if (last && s.all()) {
      throw new IllegalArgumentException("cannot set both --last and --all");
    }
    filters.finish();

    GetFlowsRequest.Builder b = GetFlowsRequest.newBuilder().setFollow(s.follow());
    boolean since = s.since() != null && !s.since().isEmpty();
    boolean until = s.until() != null && !s.until().isEmpty() && !s.follow();
    if (since) {
      b.setSince(HubbleTime.toTimestamp(time("--since", s.since(), now)));
    }
    if (until) {
      b.setUntil(HubbleTime.toTimestamp(time("--until", s.until(), now)));
    }

    long number = first ? s.first() : s.last();
    if (!since && !until && !first) {
      if (s.all()) {
        number = -1L; // uint64 max: everything in the buffer
      } else if (!last && !s.follow()) {
        number = DEFAULT_LAST;
      }
    }
    return b.setNumber(number)
        .setFirst(first)
        .addAllWhitelist(filters.whitelist())
        .addAllBlacklist(filters.blacklist())
        .build();
  }

  private static Instant time(String flag, String value, Instant now) {
    try {
      return HubbleTime.parse(value, now);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(flag + " " + e.getMessage());
    }
  }
}
