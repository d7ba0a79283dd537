package io.jilium.agent.observer.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.function.BooleanSupplier;

/**
 * A file channel whose writes fail with ENOSPC's message while {@code full} says so; a positional
 * write first writes part of its buffer, as a real full disk does.
 */
final class FailingFileChannel extends FileChannel {
  private final FileChannel ch;
  private final BooleanSupplier full;
  private boolean partiallyWritten;

  private final Runnable beforeWrite;

  FailingFileChannel(FileChannel ch, BooleanSupplier full) {
    this(ch, full, () -> {});
  }

  /** {@code beforeWrite} runs before every positional write (a test can stall the disk there). */
  FailingFileChannel(FileChannel ch, BooleanSupplier full, Runnable beforeWrite) {
    this.ch = ch;
    this.full = full;
    this.beforeWrite = beforeWrite;
  }

  private void check() throws IOException {
    if (full.getAsBoolean()) {
      throw new IOException("No space left on device");
    }
  }

  @Override
  public int write(ByteBuffer src, long position) throws IOException {
    beforeWrite.run();
    if (full.getAsBoolean() && !partiallyWritten && src.remaining() > 10) {
      // A short write first, then the error: the store must not leave these bytes in the way.
      partiallyWritten = true;
      ByteBuffer part = src.duplicate().limit(src.position() + 10);
      int n = ch.write(part, position);
      src.position(src.position() + n);
      return n;
    }
    partiallyWritten = false;
    check();
    return ch.write(src, position);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    check();
    return ch.write(src);
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    check();
    return ch.write(srcs, offset, length);
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    return ch.read(dst);
  }

  @Override
  public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
    return ch.read(dsts, offset, length);
  }

  @Override
  public int read(ByteBuffer dst, long position) throws IOException {
    return ch.read(dst, position);
  }

  @Override
  public long position() throws IOException {
    return ch.position();
  }

  @Override
  public FileChannel position(long newPosition) throws IOException {
    ch.position(newPosition);
    return this;
  }

  @Override
  public long size() throws IOException {
    return ch.size();
  }

  @Override
  public FileChannel truncate(long size) throws IOException {
    ch.truncate(size);
    return this;
  }

  @Override
  public void force(boolean metaData) throws IOException {
    check();
    ch.force(metaData);
  }

  @Override
  public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
    return ch.transferTo(position, count, target);
  }

  @Override
  public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
    check();
    return ch.transferFrom(src, position, count);
  }

  @Override
  public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
    return ch.map(mode, position, size);
  }

  @Override
  public FileLock lock(long position, long size, boolean shared) throws IOException {
    return ch.lock(position, size, shared);
  }

  @Override
  public FileLock tryLock(long position, long size, boolean shared) throws IOException {
    return ch.tryLock(position, size, shared);
  }

  @Override
  protected void implCloseChannel() throws IOException {
    ch.close();
  }
}
