package io.jilium.core.identity;

import io.jilium.core.labels.Labels;
import java.util.Collection;
import java.util.Optional;

/**
 * Maps label sets to numeric identities. Each {@link #acquire} takes a reference that a {@link
 * #release} gives back; an identity whose last reference is released is removed. Reserved
 * identities always exist and are never released.
 */
public interface IdentityAllocator {
  /** The identity for {@code labels}, allocated on first use; adds one reference. */
  Identity acquire(Labels labels);

  /** Drops one reference; true when that was the last and the identity is gone. */
  boolean release(Identity identity);

  Optional<Identity> lookup(int id);

  Optional<Identity> lookup(Labels labels);

  /** Every identity, reserved ones included, ordered by id. */
  Collection<Identity> all();

  int references(int id);
}
