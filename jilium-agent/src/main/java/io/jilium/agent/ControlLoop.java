package io.jilium.agent;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that owns the agent's mutable state: endpoints, identities, policy and every map
 * write. Callers on other threads submit work and wait for it; work already on the loop runs
 * inline, so components can call each other freely.
 */
public final class ControlLoop implements AutoCloseable {
  private final ExecutorService executor;
  private volatile Thread thread;

  public ControlLoop() {
    this.executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "jilium-control-loop");
              thread = t;
              return t;
            });
  }

  /** Runs {@code work} on the loop and returns its result; exceptions propagate unchanged. */
  public <T> T call(Callable<T> work) {
    if (Thread.currentThread() == thread) {
      return callInline(work);
    }
    Future<T> f = executor.submit(work);
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the control loop", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }

  public void run(Runnable work) {
    call(
        () -> {
          work.run();
          return null;
        });
  }

  /** Queues {@code work} without waiting. */
  public void submit(Runnable work) {
    executor.submit(work);
  }

  public boolean onLoop() {
    return Thread.currentThread() == thread;
  }

  public void checkOnLoop() {
    if (Thread.currentThread() != thread) {
      throw new IllegalStateException("must run on the control loop");
    }
  }

  private static <T> T callInline(Callable<T> work) {
    try {
      return work.call();
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    executor.shutdown();
    try {
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      executor.shutdownNow();
    }
  }
}
