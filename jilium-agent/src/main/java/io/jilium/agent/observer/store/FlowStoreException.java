package io.jilium.agent.observer.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * An I/O failure of the flow store, with the file and the operation in the message: {@code flow
 * store /var/lib/jilium/flows/00000000000000000007.flows: write block at 1048576: No space left on
 * device}.
 */
public final class FlowStoreException extends UncheckedIOException {
  private static final long serialVersionUID = 1L;

  FlowStoreException(Path file, String operation, IOException cause) {
    super("flow store " + file + ": " + operation + ": " + describe(cause), cause);
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + m;
  }
}
