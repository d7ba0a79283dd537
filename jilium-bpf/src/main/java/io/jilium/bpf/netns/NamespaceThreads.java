package io.jilium.bpf.netns;

import io.jilium.bpf.sys.LibC;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform threads that enter other network namespaces. A namespace is a property of a kernel
 * thread, so work that must run "inside" one runs on a thread of this pool: the task moves the
 * thread where it needs (setns or unshare), runs, and the pool moves the thread back to the
 * process's namespace ({@code /proc/self/ns/net}) before it takes the next task. A thread that
 * cannot move back is discarded, never reused.
 */
final class NamespaceThreads {
  private static final Logger LOG = LoggerFactory.getLogger(NamespaceThreads.class);

  /** The namespace pool threads return to: the thread-group leader's, i.e. the process's. */
  static final String HOME = "/proc/self/ns/net";

  private static final int MAX_THREADS = 16;

  /** True on the pool's own threads, whose nested calls run in place. */
  private static final ThreadLocal<Boolean> ON_POOL_THREAD = ThreadLocal.withInitial(() -> false);

  private static final ThreadPoolExecutor POOL =
      new ThreadPoolExecutor(
          MAX_THREADS,
          MAX_THREADS,
          30,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          new Factory());

  static {
    POOL.allowCoreThreadTimeOut(true);
  }

  private NamespaceThreads() {}

  /** Work run on a namespace thread; may throw {@code E}, which the caller sees unchanged. */
  interface Task<T, E extends Exception> {
    T call() throws E;
  }

  /**
   * Runs {@code task} on a pool thread and waits for it (uninterruptibly: the thread may be inside
   * another namespace, and the work is short). Returns its value or throws what it threw.
   */
  static <T, E extends Exception> T call(Task<T, E> task) throws E {
    if (ON_POOL_THREAD.get()) {
      return callNested(task);
    }
    Outcome<T> outcome = new Outcome<>();
    POOL.execute(
        () -> {
          try {
            outcome.value = task.call();
          } catch (Throwable t) {
            outcome.failure = t;
          }
          RuntimeException stranded = null;
          try (LibC.Fd home = LibC.openReadOnly(HOME)) {
            LibC.setns(home.get(), LibC.CLONE_NEWNET, HOME);
          } catch (RuntimeException e) {
            stranded = e;
          } finally {
            outcome.done.countDown();
          }
          if (stranded != null) {
            // Ends this worker: the pool replaces it rather than reuse a thread left elsewhere.
            throw new IllegalStateException("netns thread could not return to " + HOME, stranded);
          }
        });
    boolean interrupted = false;
    while (true) {
      try {
        outcome.done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (outcome.failure != null) {
      throw NamespaceThreads.<E>sneaky(outcome.failure);
    }
    return outcome.value;
  }

  /**
   * A call from a task already on a pool thread runs right there: queueing it could deadlock a full
   * pool whose tasks all wait for nested calls. The thread then returns to the namespace it was in
   * (the outer task's).
   */
  private static <T, E extends Exception> T callNested(Task<T, E> task) throws E {
    String self = "/proc/thread-self/ns/net";
    try (LibC.Fd outer = LibC.openReadOnly(self)) {
      try {
        return task.call();
      } finally {
        LibC.setns(outer.get(), LibC.CLONE_NEWNET, self + " (back to the outer call's namespace)");
      }
    }
  }

  /** Rethrows {@code t} as is: the task could only throw E, an unchecked exception or an Error. */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> RuntimeException sneaky(Throwable t) throws E {
    if (t instanceof Error e) {
      throw e;
    }
    if (t instanceof RuntimeException r) {
      throw r;
    }
    throw (E) t;
  }

  private static final class Outcome<T> {
    final CountDownLatch done = new CountDownLatch(1);
    // Written by the worker before countDown, read by the caller after await: ordered by the latch.
    T value;
    Throwable failure;
  }

  private static final class Factory implements ThreadFactory {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Thread newThread(Runnable r) {
      return Thread.ofPlatform()
          .name("jilium-netns-" + next.incrementAndGet())
          .daemon(true)
          .uncaughtExceptionHandler(
              (t, e) -> LOG.error("netns thread {} discarded", t.getName(), e))
          .unstarted(
              () -> {
                ON_POOL_THREAD.set(true);
                r.run();
              });
    }
  }
}
