package io.jilium.bpf.netlink;

/**
 * The scope of a route or address ({@code enum rt_scope_t}, {@code rtm_scope}/{@code ifa_scope}).
 */
public enum Scope {
  /** {@code RT_SCOPE_UNIVERSE}: global; routes via a gateway. */
  UNIVERSE(0),
  /** {@code RT_SCOPE_SITE}. */
  SITE(200),
  /** {@code RT_SCOPE_LINK}: directly reachable on the link, no gateway. */
  LINK(253),
  /** {@code RT_SCOPE_HOST}: this host only (loopback addresses). */
  HOST(254),
  /** {@code RT_SCOPE_NOWHERE}: no destination. */
  NOWHERE(255);

  private final int value;

  Scope(int value) {
    this.value = value;
  }

  /** The kernel's value. */
  public int value() {
    return value;
  }

  /** The scope with the kernel value {@code value} (0-255). */
  public static Scope of(int value) {
    for (Scope s : values()) {
      if (s.value == value) {
        return s;
      }
    }
    throw new IllegalArgumentException("scope: " + value + " (expected: 0, 200, 253, 254 or 255)");
  }
}
