package io.jilium.bpf.loader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

/** The compiled BPF objects shipped in the jar under {@code /bpf}. */
public final class DatapathObjects {
  public static final String LXC = "bpf_lxc.o";
  public static final String HOST = "bpf_host.o";
  public static final String SOCK = "bpf_sock.o";

  private DatapathObjects() {}

  /**
   * Copies {@code name} to {@code dir} (unless an identical copy is there) and returns its path.
   */
  public static Path extract(String name, Path dir) {
    byte[] bytes = read(name);
    Path target = dir.resolve(name);
    try {
      Files.createDirectories(dir);
      if (Files.exists(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
        return target;
      }
      Path tmp = dir.resolve(name + ".tmp");
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("extract " + name + " to " + dir, e);
    }
  }

  static byte[] read(String name) {
    try (InputStream in = DatapathObjects.class.getResourceAsStream("/bpf/" + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "BPF object /bpf/" + name + " is missing from the build (was clang available?)");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("read /bpf/" + name, e);
    }
  }
}
