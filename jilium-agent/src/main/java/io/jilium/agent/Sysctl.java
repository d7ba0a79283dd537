package io.jilium.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The host settings pod networking needs. */
final class Sysctl {
  private Sysctl() {}

  static void enableForwarding() {
    write("net/ipv4/ip_forward", "1");
    write("net/ipv6/conf/all/forwarding", "1");
  }

  static void write(String key, String value) {
    Path p = Path.of("/proc/sys").resolve(key);
    try {
      if (!Files.readString(p).trim().equals(value)) {
        Files.writeString(p, value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("sysctl " + key.replace('/', '.') + "=" + value, e);
    }
  }
}
