package io.jilium.core.ipam;

import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Addresses of one pod CIDR, each held by an owner (an endpoint's container id). The network
 * address and the first address (kept for a future router address, as Cilium does) are never handed
 * out; for IPv4 neither is the broadcast address. Allocation walks forward from the last allocation
 * so a released address is not reused at once. Not thread-safe.
 */
public final class AddressPool {
  private final Cidr cidr;
  private final long first;
  private final long last;
  private final TreeMap<Long, String> used = new TreeMap<>();
  private final Map<String, Long> byOwner = new HashMap<>();
  private long cursor;

  public AddressPool(Cidr cidr) {
    this.cidr = cidr;
    long size = cidr.size();
    this.first = 2;
    this.last = cidr.isIpv4() ? size - 2 : Math.min(size - 1, Long.MAX_VALUE - 1);
    if (last < first) {
      throw new IllegalArgumentException(
          "pod CIDR " + cidr + " is too small: it leaves no address for pods");
    }
    this.cursor = first;
  }

  public Cidr cidr() {
    return cidr;
  }

  /** The address of {@code owner}, allocating one when it has none. */
  public byte[] allocate(String owner) {
    Long held = byOwner.get(owner);
    if (held != null) {
      return cidr.addressAt(held);
    }
    long capacity = last - first + 1;
    if (used.size() >= capacity) {
      throw new IpamExhaustedException(cidr, used.size());
    }
    long candidate = cursor;
    while (used.containsKey(candidate)) {
      candidate = candidate >= last ? first : candidate + 1;
    }
    used.put(candidate, owner);
    byOwner.put(owner, candidate);
    cursor = candidate >= last ? first : candidate + 1;
    return cidr.addressAt(candidate);
  }

  /** Marks {@code address} as held by {@code owner} (restore after restart). */
  public void restore(String owner, byte[] address) {
    if (!cidr.contains(address)) {
      throw new IllegalArgumentException(
          IpAddress.format(address) + " (owner " + owner + ") is outside pod CIDR " + cidr);
    }
    long offset = cidr.offsetOf(address);
    if (offset < first || offset > last) {
      throw new IllegalArgumentException(
          IpAddress.format(address)
              + " (owner "
              + owner
              + ") is reserved in pod CIDR "
              + cidr
              + " (expected: "
              + IpAddress.format(cidr.addressAt(first))
              + "-"
              + IpAddress.format(cidr.addressAt(last))
              + ")");
    }
    String other = used.get(offset);
    if (other != null && !other.equals(owner)) {
      throw new IllegalStateException(
          IpAddress.format(address) + " is held by both " + other + " and " + owner);
    }
    Long held = byOwner.get(owner);
    if (held != null && held != offset) {
      throw new IllegalStateException(
          owner
              + " restored with "
              + IpAddress.format(address)
              + " but already holds "
              + IpAddress.format(cidr.addressAt(held)));
    }
    used.put(offset, owner);
    byOwner.put(owner, offset);
    cursor = offset >= last ? first : offset + 1;
  }

  /** Releases the address of {@code owner}; false when it held none. */
  public boolean release(String owner) {
    Long offset = byOwner.remove(owner);
    if (offset == null) {
      return false;
    }
    used.remove(offset);
    return true;
  }

  public Optional<byte[]> addressOf(String owner) {
    Long offset = byOwner.get(owner);
    return offset == null ? Optional.empty() : Optional.of(cidr.addressAt(offset));
  }

  public int allocated() {
    return used.size();
  }

  public long capacity() {
    return last - first + 1;
  }
}
