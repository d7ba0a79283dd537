package io.jilium.core.resource;

import com.fasterxml.jackson.databind.JsonNode;

/** One document of a manifest: its source (a file name, "-" for stdin) and 1-based position. */
public record Document(String source, int index, JsonNode content) {
  /** {@code policy.yaml: document 2}, the start of every message about it. */
  public String where() {
    return source + ": document " + index;
  }
}
