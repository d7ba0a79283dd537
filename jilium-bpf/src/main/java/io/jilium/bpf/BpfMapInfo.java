package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/** What the kernel says about a map ({@code struct bpf_map_info}). */
public record BpfMapInfo(
    int type, int id, int keySize, int valueSize, int maxEntries, int flags, String name) {

  private static final int INFO_SIZE = 88;

  static BpfMapInfo of(int fd, String what) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      MemorySegment info = arena.allocate(INFO_SIZE, 8);
      MemorySegment len = arena.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, INFO_SIZE);
      int rc = (int) LibBpf.bpf_obj_get_info_by_fd.invokeExact(state, fd, info, len);
      if (rc < 0) {
        throw new ErrnoException("bpf_obj_get_info_by_fd(" + what + ")", Downcalls.errno(state));
      }
      byte[] nameBytes = info.asSlice(24, 16).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
      int n = 0;
      while (n < nameBytes.length && nameBytes[n] != 0) {
        n++;
      }
      return new BpfMapInfo(
          info.get(JAVA_INT, 0),
          info.get(JAVA_INT, 4),
          info.get(JAVA_INT, 8),
          info.get(JAVA_INT, 12),
          info.get(JAVA_INT, 16),
          info.get(JAVA_INT, 20),
          new String(nameBytes, 0, n, StandardCharsets.UTF_8));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }
}
