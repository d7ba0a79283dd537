package io.jilium.core.identity;

import io.jilium.core.labels.Labels;
import java.util.Objects;

/** A numeric security identity and the labels it stands for. */
public record Identity(int id, Labels labels) {
  public Identity {
    Objects.requireNonNull(labels, "labels");
  }

  public boolean isReserved() {
    return id > 0 && id < ReservedIdentity.MIN_ALLOCATED;
  }

  public boolean isLocalScope() {
    return (id & ReservedIdentity.LOCAL_SCOPE_FLAG) != 0;
  }
}
