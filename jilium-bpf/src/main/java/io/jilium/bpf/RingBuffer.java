package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.Errno;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Consumer;

/**
 * Consumes a BPF ring buffer map through libbpf. {@link #poll(int)} blocks in native code, so call
 * it from one dedicated platform thread; records are handed to the consumer on that thread as
 * segments valid only during the call.
 */
public final class RingBuffer implements AutoCloseable {
  private static final MethodHandle CALLBACK;

  static {
    try {
      CALLBACK =
          MethodHandles.lookup()
              .findVirtual(
                  RingBuffer.class,
                  "onSample",
                  MethodType.methodType(
                      int.class, MemorySegment.class, MemorySegment.class, long.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Arena arena = Arena.ofShared();
  private final Consumer<MemorySegment> consumer;
  private final String name;
  private MemorySegment rb;
  private volatile RuntimeException callbackFailure;

  /** Subscribes to the ring buffer map {@code map}; the map fd may be closed afterwards. */
  public RingBuffer(BpfMap map, Consumer<MemorySegment> consumer) {
    this.consumer = consumer;
    this.name = map.name();
    MemorySegment stub =
        Linker.nativeLinker()
            .upcallStub(
                CALLBACK.bindTo(this),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG),
                arena);
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      MemorySegment r =
          (MemorySegment)
              LibBpf.ring_buffer__new.invokeExact(
                  state, map.fd(), stub, MemorySegment.NULL, MemorySegment.NULL);
      if (r.address() == 0) {
        arena.close();
        throw new ErrnoException("ring_buffer__new(" + name + ")", Downcalls.errno(state));
      }
      rb = r;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  @SuppressWarnings("unused") // called from native code through the upcall stub
  private int onSample(MemorySegment ctx, MemorySegment data, long size) {
    try {
      consumer.accept(data.reinterpret(size));
      return 0;
    } catch (RuntimeException e) {
      // an exception must not unwind into native code: remember it and stop this poll
      callbackFailure = e;
      return -1;
    }
  }

  /**
   * Waits up to {@code timeoutMillis} for a wakeup from the producer, then delivers every record
   * available, including those submitted without a wakeup ({@code BPF_RB_NO_WAKEUP}). Returns the
   * number of records consumed; 0 when there were none or on EINTR.
   */
  public int poll(int timeoutMillis) {
    MemorySegment r;
    synchronized (this) {
      r = rb;
    }
    if (r == null) {
      throw new IllegalStateException("ring buffer " + name + " is closed");
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(a);
      int n = (int) LibBpf.ring_buffer__poll.invokeExact(state, r, timeoutMillis);
      if (n >= 0 && callbackFailure == null) {
        // epoll reports only wakeups: records the producer submitted without one are read here
        int more = (int) LibBpf.ring_buffer__consume.invokeExact(state, r);
        n = more < 0 ? more : n + more;
      }
      RuntimeException failure = callbackFailure;
      if (failure != null) {
        callbackFailure = null;
        throw failure;
      }
      if (n < 0) {
        if (-n == Errno.EINTR) {
          return 0;
        }
        throw new ErrnoException("ring_buffer__poll(" + name + ")", -n);
      }
      return n;
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** Frees the ring buffer; call after the polling thread stopped. */
  @Override
  public synchronized void close() {
    if (rb != null) {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment state = Downcalls.allocateCallState(a);
        LibBpf.ring_buffer__free.invokeExact(state, rb);
      } catch (Throwable t) {
        throw Native.rethrow(t);
      } finally {
        rb = null;
        arena.close();
      }
    }
  }
}
