package io.jilium.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;

/** What a CLI invocation did: exit code, stdout, stderr, and the command (for messages). */
record CliResult(List<String> argv, int exitCode, String stdout, String stderr) {
  private static final ObjectMapper JSON = new ObjectMapper();

  boolean ok() {
    return exitCode == 0;
  }

  /** Fails with the whole invocation unless it exited 0. */
  CliResult assertOk() {
    if (exitCode != 0) {
      throw new AssertionError("expected exit 0:\n" + this);
    }
    return this;
  }

  /** Fails unless it exited non-zero. */
  CliResult assertFails() {
    if (exitCode == 0) {
      throw new AssertionError("expected a non-zero exit:\n" + this);
    }
    return this;
  }

  /** stdout parsed as JSON. */
  JsonNode json() {
    try {
      return JSON.readTree(stdout);
    } catch (IOException e) {
      throw new AssertionError("stdout is not JSON:\n" + this, e);
    }
  }

  @Override
  public String toString() {
    return "$ jilium "
        + String.join(" ", argv.subList(argv.indexOf(Jilium.MAIN) + 1, argv.size()))
        + "\nexit "
        + exitCode
        + "\n--- stdout ---\n"
        + stdout
        + "--- stderr ---\n"
        + stderr;
  }
}
