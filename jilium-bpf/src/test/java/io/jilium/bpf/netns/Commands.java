package io.jilium.bpf.netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs tools such as {@code ip} and {@code nsenter} to cross-check the kernel state in tests. */
public final class Commands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Commands() {}

  /** Runs {@code command}, waits up to 10 s, and returns its stdout; fails on a non-zero exit. */
  public static String run(String... command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + ": still running after 10 s");
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", command) + ": exit " + p.exitValue() + ": " + err.join());
      }
      return out.join();
    } catch (IOException e) {
      throw new UncheckedIOException(String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(String.join(" ", command) + ": interrupted", e);
    }
  }

  /** Runs a command that prints JSON ({@code ip -j ...}) and parses it. */
  public static JsonNode json(String... command) {
    String out = run(command);
    try {
      return JSON.readTree(out.isBlank() ? "[]" : out);
    } catch (IOException e) {
      throw new AssertionError(String.join(" ", command) + ": not JSON: " + out, e);
    }
  }

  /** The elements of a JSON array, as a list. */
  public static List<JsonNode> elements(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
