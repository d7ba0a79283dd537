package io.jilium.core.service;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Maglev lookup tables (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load
 * Balancer", NSDI 2016, section 3.4), computed as Cilium's {@code pkg/maglev} computes them, so a
 * node of either computes the same table from the same backends and seed:
 *
 * <ul>
 *   <li>Each backend's preference list is the permutation {@code (offset + j * skip) mod M} with
 *       {@code offset = h1 mod M} and {@code skip = h2 mod (M - 1) + 1}, where {@code h1, h2} are
 *       the two halves of MurmurHash3 x64_128 of the backend's name (UTF-8) with the 32-bit seed. M
 *       is prime, so every skip is coprime with M and each list visits every slot.
 *   <li>Backends are sorted by name first (names are the same on every node, insertion order is
 *       not), then take turns claiming their next preferred free slot until the table is full.
 *   <li>Weights as in Cilium (after Envoy's weighted Maglev): when the mean weight exceeds 1, a
 *       backend whose claimed share is ahead of its weight skips its turn. Equal weights give the
 *       unweighted table. Backends of weight 0 get no slot (Cilium's maintenance state).
 * </ul>
 *
 * <p>The seed is Cilium's: {@code --bpf-lb-maglev-hash-seed} is 12 bytes in base64, of which the
 * first 4 (big-endian) seed the hash; {@link #DEFAULT_HASH_SEED} is Cilium's default. Immutable and
 * thread-safe.
 */
public final class Maglev {
  /** Cilium's default table size M. */
  public static final int DEFAULT_TABLE_SIZE = 16381;

  /** The largest table Cilium offers (its inner map's value size bounds it). */
  public static final int MAX_TABLE_SIZE = 131071;

  /** Cilium's default {@code --bpf-lb-maglev-hash-seed}. */
  public static final String DEFAULT_HASH_SEED = "JLfvgnHc2kaSUFaI";

  /** Weight of a backend that does not say (Cilium's {@code DefaultBackendWeight}). */
  public static final int DEFAULT_WEIGHT = 100;

  private final int tableSize;
  private final int seed;

  /**
   * @param tableSize M, a prime from 3 to {@value #MAX_TABLE_SIZE}; it should be well above the
   *     number of backends (Cilium advises M > 100 N) for an even spread and little disruption
   * @param seed the 32-bit MurmurHash3 seed
   */
  public Maglev(int tableSize, int seed) {
    if (tableSize < 3 || tableSize > MAX_TABLE_SIZE || !isPrime(tableSize)) {
      throw new IllegalArgumentException(
          "Maglev table size "
              + tableSize
              + (tableSize >= 3 && tableSize <= MAX_TABLE_SIZE ? " is not prime" : "")
              + " (expected: a prime from 3 to "
              + MAX_TABLE_SIZE
              + ", such as 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521 or 131071)");
    }
    this.tableSize = tableSize;
    this.seed = seed;
  }

  /** A Maglev with a Cilium-style seed: 12 bytes in base64, of which the first 4 seed the hash. */
  public static Maglev of(int tableSize, String base64Seed) {
    return new Maglev(tableSize, seedOf(base64Seed));
  }

  /** The default table size and seed, as Cilium's defaults. */
  public static Maglev defaults() {
    return of(DEFAULT_TABLE_SIZE, DEFAULT_HASH_SEED);
  }

  /** The hash seed of a base64 {@code --bpf-lb-maglev-hash-seed}. */
  public static int seedOf(String base64Seed) {
    Objects.requireNonNull(base64Seed, "base64Seed");
    byte[] d;
    try {
      d = Base64.getDecoder().decode(base64Seed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Maglev hash seed \"" + base64Seed + "\" is not base64 (expected: 12 bytes in base64)");
    }
    if (d.length != 12) {
      throw new IllegalArgumentException(
          "Maglev hash seed \""
              + base64Seed
              + "\" decodes to "
              + d.length
              + " bytes (expected: 12 bytes in base64, e.g. head -c12 /dev/urandom | base64)");
    }
    return (d[0] & 0xff) << 24 | (d[1] & 0xff) << 16 | (d[2] & 0xff) << 8 | (d[3] & 0xff);
  }

  public int tableSize() {
    return tableSize;
  }

  public int seed() {
    return seed;
  }

  /** A backend by a name that is the same on every node (Cilium uses its address and port). */
  public record Backend(String name, int weight) {
    public Backend {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("Maglev backend name is empty");
      }
      if (weight < 0 || weight > 65535) {
        throw new IllegalArgumentException(
            "Maglev backend " + name + ": weight " + weight + " (expected: 0-65535)");
      }
    }

    public static Backend of(String name) {
      return new Backend(name, DEFAULT_WEIGHT);
    }
  }

  /** {@code {offset, skip}} of a backend's permutation. */
  long[] offsetAndSkip(String name) {
    long[] h = Murmur3.hash128(name.getBytes(StandardCharsets.UTF_8), seed);
    long offset = Long.remainderUnsigned(h[0], tableSize);
    long skip = Long.remainderUnsigned(h[1], tableSize - 1) + 1;
    return new long[] {offset, skip};
  }

  /**
   * The lookup table of {@code backends} (order does not matter; names must be distinct). Empty
   * when no backend has a weight above 0.
   */
  public Table table(Collection<Backend> backends) {
    TreeMap<String, Backend> byName = new TreeMap<>();
    for (Backend b : backends) {
      if (byName.put(b.name(), b) != null) {
        throw new IllegalArgumentException("Maglev backend " + b.name() + " is listed twice");
      }
    }
    List<Backend> sorted = new ArrayList<>();
    for (Backend b : byName.values()) {
      if (b.weight() > 0) {
        sorted.add(b);
      }
    }
    int n = sorted.size();
    if (n == 0) {
      return new Table(List.of(), new int[0]);
    }
    int m = tableSize;
    long[] offset = new long[n];
    long[] skip = new long[n];
    long weightSum = 0;
    double[] weightCounter = new double[n];
    for (int i = 0; i < n; i++) {
      long[] os = offsetAndSkip(sorted.get(i).name());
      offset[i] = os[0];
      skip[i] = os[1];
      weightSum += sorted.get(i).weight();
      weightCounter[i] = (double) sorted.get(i).weight() / n;
    }
    boolean weighted = weightSum / n > 1; // Cilium's test, integer division included
    long[] next = new long[n];
    int[] entry = new int[m];
    Arrays.fill(entry, -1);
    for (long filled = 0; filled < m; filled++) {
      int i = (int) (filled % n);
      if (weighted) {
        // Skip backends whose claimed share is ahead of their weight (Cilium/Envoy).
        while ((filled + 1) * sorted.get(i).weight() < (long) weightCounter[i]) {
          i = (i + 1) % n;
        }
        weightCounter[i] += weightSum;
      }
      long c = (offset[i] + next[i] * skip[i]) % m;
      while (entry[(int) c] >= 0) {
        next[i]++;
        c = (offset[i] + next[i] * skip[i]) % m;
      }
      entry[(int) c] = i;
      next[i]++;
    }
    List<String> names = new ArrayList<>(n);
    for (Backend b : sorted) {
      names.add(b.name());
    }
    return new Table(names, entry);
  }

  private static boolean isPrime(int v) {
    if (v < 2) {
      return false;
    }
    for (int d = 2; (long) d * d <= v; d++) {
      if (v % d == 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * A lookup table: slot -> index into {@link #backends()} (sorted by name, weight-0 backends left
   * out). Immutable; equal tables are equal values.
   */
  public static final class Table {
    private final List<String> backends;
    private final int[] slots;

    Table(List<String> backends, int[] slots) {
      this.backends = List.copyOf(backends);
      this.slots = slots;
    }

    /** The backends that own slots, sorted by name. */
    public List<String> backends() {
      return backends;
    }

    /** M, or 0 for a table without backends. */
    public int size() {
      return slots.length;
    }

    public boolean isEmpty() {
      return slots.length == 0;
    }

    /** Index into {@link #backends()} of the backend owning {@code slot}. */
    public int indexAt(int slot) {
      return slots[slot];
    }

    public String backendAt(int slot) {
      return backends.get(slots[slot]);
    }

    /** Every slot's backend index, as the datapath's table holds them (after mapping to ids). */
    public int[] slots() {
      return slots.clone();
    }

    /** The number of slots each backend owns, by name, in name order. */
    public Map<String, Integer> slotCounts() {
      int[] counts = new int[backends.size()];
      for (int s : slots) {
        counts[s]++;
      }
      Map<String, Integer> out = new LinkedHashMap<>();
      for (int i = 0; i < counts.length; i++) {
        out.put(backends.get(i), counts[i]);
      }
      return out;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Table t && t.backends.equals(backends) && Arrays.equals(t.slots, slots);
    }

    @Override
    public int hashCode() {
      return backends.hashCode() * 31 + Arrays.hashCode(slots);
    }

    @Override
    public String toString() {
      return "Maglev.Table[M=" + slots.length + ", backends=" + slotCounts() + "]";
    }
  }
}
