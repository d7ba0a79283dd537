package io.jilium.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The built {@code jilium.jar} as the tests run it: as separate JVMs, exactly like {@code
 * ./jilium}.
 *
 * <p>The jar is copied once per test run, so a concurrent rebuild of {@code jilium-dist} by someone
 * else cannot change (or truncate) it under a running suite. CLI JVMs get the flags {@code
 * ./jilium} gives them (serial GC, C1 only), which matter: a suite makes hundreds of CLI calls.
 */
final class Jilium {
  static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  static final String MAIN = "io.jilium.cli.JiliumMain";

  private static Path runDir;
  private static Path jar;

  private Jilium() {}

  /** The jar under test (this run's private copy). */
  static synchronized Path jar() {
    if (jar == null) {
      String prop = System.getProperty("jilium.jar");
      if (prop == null) {
        throw new IllegalStateException(
            "system property jilium.jar is not set (run through Maven: ./mvnw -pl jilium-it test)");
      }
      Path built = Path.of(prop).toAbsolutePath().normalize();
      if (!Files.isRegularFile(built)) {
        throw new IllegalStateException(
            built + " does not exist: build first with ./mvnw -q install -DskipTests");
      }
      try {
        runDir = Files.createTempDirectory("jilium-it-run-");
        jar = runDir.resolve("jilium.jar");
        Files.copy(built, jar, StandardCopyOption.COPY_ATTRIBUTES);
      } catch (IOException e) {
        throw new UncheckedIOException("copy " + built, e);
      }
      Path dir = runDir;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "jilium-it-rundir"));
    }
    return jar;
  }

  private static List<String> cliJvm() {
    List<String> argv = new ArrayList<>();
    argv.add(JAVA.toString());
    argv.add("--enable-native-access=ALL-UNNAMED");
    argv.add("-XX:+UseSerialGC");
    argv.add("-XX:TieredStopAtLevel=1");
    // JVM warnings go to stderr, never into the JSON on stdout
    argv.add("-Xlog:disable");
    argv.add("-Xlog:all=warning:stderr");
    return argv;
  }

  /** {@code java ... -cp jilium.jar io.jilium.cli.JiliumMain --socket SOCKET ARGS...}. */
  static synchronized List<String> cli(Path socket, List<String> args) {
    List<String> argv = cliJvm();
    argv.add("-cp");
    argv.add(jar().toString());
    argv.add(MAIN);
    if (socket != null) {
      argv.add("--socket");
      argv.add(socket.toString());
    }
    argv.addAll(args);
    return argv;
  }

  /**
   * {@code java ... io.jilium.cli.JiliumMain agent ARGS...}, with the JVM flags of ./jilium agent.
   */
  static List<String> agent(List<String> args) {
    List<String> argv = new ArrayList<>();
    argv.add(JAVA.toString());
    argv.add("--enable-native-access=ALL-UNNAMED");
    argv.add("-XX:+UseSerialGC");
    argv.add("-Xms32m");
    argv.add("-Xmx256m");
    argv.add("-XX:MaxMetaspaceSize=128m");
    argv.add("-cp");
    argv.add(jar().toString());
    argv.add(MAIN);
    argv.add("agent");
    argv.addAll(args);
    return argv;
  }

  static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("[jilium-it] could not remove " + root + ": " + e);
    }
  }
}
