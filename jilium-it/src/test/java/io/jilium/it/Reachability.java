package io.jilium.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The expected reachability between peers (pods named {@code ns/pod}, and {@code ext} for a non-pod
 * peer): a matrix of ordered pairs of distinct peers, rows are the source, columns the destination,
 * every cell allowed or denied. A peer's traffic to itself is not part of the model (as in the
 * Kubernetes netpol e2e tests, whose loopback semantics differ between plugins).
 *
 * <p>Built by starting from everything allowed and applying {@link #allow}/{@link #deny} over peer
 * sets in order (later statements win), which reads like the policy's effect: "nothing reaches
 * namespace x", "except x/b reaching x/a". Immutable: each statement returns a new matrix.
 */
final class Reachability {
  /** A set of peers, by name. */
  interface Peers extends Predicate<String> {}

  /** The name of the non-pod peer, when a matrix has one. */
  static final String EXTERNAL = "ext";

  private final List<String> peers;
  private final boolean[][] allowed;

  /** Everything allowed between these peers. */
  Reachability(List<String> peers) {
    this.peers = List.copyOf(peers);
    this.allowed = new boolean[peers.size()][peers.size()];
    for (boolean[] row : allowed) {
      java.util.Arrays.fill(row, true);
    }
  }

  List<String> peers() {
    return peers;
  }

  // ---- peer sets ----

  static Peers any() {
    return p -> true;
  }

  /** Every pod (not the external peer). */
  static Peers pods() {
    return p -> !p.equals(EXTERNAL);
  }

  /** The pods of a namespace. */
  static Peers ns(String namespace) {
    return p -> p.startsWith(namespace + "/");
  }

  /** Exactly these peers. */
  static Peers peer(String... names) {
    List<String> l = List.of(names);
    return l::contains;
  }

  static Peers external() {
    return EXTERNAL::equals;
  }

  // ---- statements ----

  /** Every pair (from, to) with from in {@code from} and to in {@code to} is allowed. */
  Reachability allow(Peers from, Peers to) {
    return set(from, to, true);
  }

  /** Every pair (from, to) with from in {@code from} and to in {@code to} is denied. */
  Reachability deny(Peers from, Peers to) {
    return set(from, to, false);
  }

  /** Nothing reaches {@code to}. */
  Reachability denyIngress(Peers to) {
    return deny(any(), to);
  }

  /** {@code from} reaches nothing. */
  Reachability denyEgress(Peers from) {
    return deny(from, any());
  }

  /** A copy with the pairs in from x to set to {@code value}: a Reachability never changes. */
  private Reachability set(Peers from, Peers to, boolean value) {
    Reachability r = new Reachability(peers);
    for (int i = 0; i < peers.size(); i++) {
      for (int j = 0; j < peers.size(); j++) {
        r.allowed[i][j] = from.test(peers.get(i)) && to.test(peers.get(j)) ? value : allowed[i][j];
      }
    }
    return r;
  }

  boolean allowed(int from, int to) {
    return allowed[from][to];
  }

  boolean allowed(String from, String to) {
    return allowed[index(from)][index(to)];
  }

  private int index(String peer) {
    int i = peers.indexOf(peer);
    if (i < 0) {
      throw new IllegalArgumentException("peer " + peer + " (expected one of " + peers + ")");
    }
    return i;
  }

  // ---- comparison with what was observed ----

  /** What a probe saw, with the character it has in a printed matrix. */
  enum Outcome {
    /** The server answered (TCP: connected; UDP: echoed; ICMP: echo reply). */
    ANSWERED('.'),
    /** Silence until the timeout: dropped. */
    NO_ANSWER('X'),
    /** A reset or port unreachable: the packet reached a host that had no server. */
    REFUSED('R'),
    /** The probe could not run (e.g. no route, namespace gone). */
    ERROR('E'),
    /** Not probed (a peer and itself). */
    NONE('-');

    final char symbol;

    Outcome(char symbol) {
      this.symbol = symbol;
    }
  }

  /** One probe's outcome, what it says about why when it did not answer, and how long it took. */
  record Cell(Outcome outcome, String detail, long millis) {
    static final Cell NONE = new Cell(Outcome.NONE, "", 0);

    Cell(Outcome outcome, String detail) {
      this(outcome, detail, 0);
    }

    Cell took(long millis) {
      return new Cell(outcome, detail, millis);
    }
  }

  /**
   * The cells where {@code observed[from][to]} differs from the expectation: an expected allow must
   * be answered; an expected deny must be silence (a refusal means the packet got through).
   */
  List<String> wrongCells(Cell[][] observed) {
    Objects.requireNonNull(observed, "observed");
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < peers.size(); i++) {
      for (int j = 0; j < peers.size(); j++) {
        if (i != j && !matches(allowed[i][j], observed[i][j])) {
          Cell c = observed[i][j];
          wrong.add(
              peers.get(i)
                  + " -> "
                  + peers.get(j)
                  + ": expected "
                  + (allowed[i][j] ? "an answer" : "no answer")
                  + ", observed "
                  + c.outcome()
                  + (c.detail().isEmpty() ? "" : " (" + c.detail() + ")"));
        }
      }
    }
    return wrong;
  }

  private static boolean matches(boolean expectAllowed, Cell c) {
    return expectAllowed ? c.outcome() == Outcome.ANSWERED : c.outcome() == Outcome.NO_ANSWER;
  }

  /** The expected matrix, in the form of the upstream truth tables. */
  String expectedTable() {
    return table(
        (i, j) ->
            i == j
                ? Outcome.NONE.symbol
                : (allowed[i][j] ? Outcome.ANSWERED : Outcome.NO_ANSWER).symbol);
  }

  /** The observed matrix. */
  String observedTable(Cell[][] observed) {
    return table((i, j) -> observed[i][j].outcome().symbol);
  }

  /** {@code .} where observation and expectation agree, {@code X} where they do not. */
  String comparisonTable(Cell[][] observed) {
    return table(
        (i, j) ->
            i == j ? Outcome.NONE.symbol : matches(allowed[i][j], observed[i][j]) ? '.' : 'X');
  }

  private interface CellChar {
    char at(int from, int to);
  }

  private String table(CellChar cell) {
    int w = 4;
    for (String p : peers) {
      w = Math.max(w, p.length() + 1);
    }
    StringBuilder b = new StringBuilder();
    b.append(pad("", w));
    for (String p : peers) {
      b.append(pad(p, w));
    }
    b.append('\n');
    for (int i = 0; i < peers.size(); i++) {
      b.append(pad(peers.get(i), w));
      for (int j = 0; j < peers.size(); j++) {
        b.append(pad(String.valueOf(cell.at(i, j)), w));
      }
      b.append('\n');
    }
    return b.toString();
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(1, width - s.length()));
  }
}
