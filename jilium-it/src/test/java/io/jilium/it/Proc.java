package io.jilium.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process whose stdout and stderr are read line by line as they come, so a test can wait
 * for a line (with a deadline) instead of sleeping. Every wait has a timeout.
 */
final class Proc implements AutoCloseable {
  private final List<String> argv;
  private final Process process;
  private final Object lock = new Object();
  private final List<String> outLines = new ArrayList<>();
  private final List<String> errLines = new ArrayList<>();
  private final Writer log;
  private int openStreams = 2;
  private boolean outEof;
  private boolean errEof;

  private Proc(List<String> argv, Process process, Writer log) {
    this.argv = List.copyOf(argv);
    this.process = process;
    this.log = log;
    Thread.ofVirtual()
        .name("proc-out-" + process.pid())
        .start(() -> pump(process.getInputStream(), outLines, false));
    Thread.ofVirtual()
        .name("proc-err-" + process.pid())
        .start(() -> pump(process.getErrorStream(), errLines, true));
  }

  /** Starts {@code argv}; stdin stays open until {@link #closeStdin()}. */
  static Proc start(List<String> argv) {
    return start(argv, null);
  }

  /**
   * Starts {@code argv}, appending every line of its output (stdout and stderr) to {@code logFile}.
   */
  static Proc start(List<String> argv, Path logFile) {
    try {
      Writer log =
          logFile == null
              ? null
              : Files.newBufferedWriter(
                  logFile,
                  StandardCharsets.UTF_8,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.APPEND);
      return new Proc(argv, new ProcessBuilder(argv).start(), log);
    } catch (IOException e) {
      throw new UncheckedIOException("start " + String.join(" ", argv), e);
    }
  }

  private void pump(InputStream in, List<String> sink, boolean isErr) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (lock) {
          sink.add(line);
          if (log != null) {
            try {
              log.write(line);
              log.write('\n');
              log.flush();
            } catch (IOException e) {
              // the log is a convenience; the lines are kept in memory too
            }
          }
          lock.notifyAll();
        }
      }
    } catch (IOException e) {
      // the process went away
    } finally {
      synchronized (lock) {
        openStreams--;
        if (isErr) {
          errEof = true;
        } else {
          outEof = true;
        }
        if (openStreams == 0 && log != null) {
          try {
            log.close();
          } catch (IOException e) {
            // nothing to do
          }
        }
        lock.notifyAll();
      }
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Writes a line to the process's stdin and flushes it. */
  void writeLine(String line) {
    try {
      OutputStream os = process.getOutputStream();
      os.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      os.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "write to " + argv.getFirst() + " (pid " + process.pid() + ")", e);
    }
  }

  void write(String text) {
    try {
      OutputStream os = process.getOutputStream();
      os.write(text.getBytes(StandardCharsets.UTF_8));
      os.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "write to " + argv.getFirst() + " (pid " + process.pid() + ")", e);
    }
  }

  void closeStdin() {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // already closed
    }
  }

  /**
   * Waits until a line of stdout (or stderr when {@code stderr}) matches, the stream ends, or the
   * timeout passes. Returns the first matching line seen since the process started.
   */
  Optional<String> awaitLine(Predicate<String> match, Duration timeout, boolean stderr) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      List<String> lines = stderr ? errLines : outLines;
      int checked = 0;
      while (true) {
        for (; checked < lines.size(); checked++) {
          if (match.test(lines.get(checked))) {
            return Optional.of(lines.get(checked));
          }
        }
        if (stderr ? errEof : outEof) {
          return Optional.empty();
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        try {
          lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }

  Optional<String> awaitLine(Predicate<String> match, Duration timeout) {
    return awaitLine(match, timeout, false);
  }

  /** Waits for the process to exit and its output to be read; empty on timeout. */
  Optional<Integer> waitFor(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        return Optional.empty();
      }
      // the readers finish right after the exit, unless a grandchild still holds the pipes
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      synchronized (lock) {
        while (openStreams > 0) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
      return Optional.of(process.exitValue());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Runs to completion or fails the test with the output so far. */
  int waitForOrFail(Duration timeout) {
    Optional<Integer> rc = waitFor(timeout);
    if (rc.isEmpty()) {
      kill();
      throw new AssertionError(
          "still running after "
              + timeout.toSeconds()
              + " s (killed): "
              + String.join(" ", argv)
              + "\nstdout:\n"
              + stdout()
              + "\nstderr:\n"
              + stderr());
    }
    return rc.get();
  }

  String stdout() {
    synchronized (lock) {
      return outLines.isEmpty() ? "" : String.join("\n", outLines) + "\n";
    }
  }

  String stderr() {
    synchronized (lock) {
      return errLines.isEmpty() ? "" : String.join("\n", errLines) + "\n";
    }
  }

  /** SIGTERM, then SIGKILL if it does not exit within {@code grace}. */
  void stop(Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  /** SIGKILL, and wait (bounded) until it is gone. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
    closeStdin();
  }

  @Override
  public String toString() {
    return String.join(" ", argv) + " (pid " + process.pid() + ")";
  }
}
