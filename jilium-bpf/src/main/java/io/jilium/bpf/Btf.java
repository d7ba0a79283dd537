package io.jilium.bpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.jilium.bpf.sys.Downcalls;
import io.jilium.bpf.sys.ErrnoException;
import io.jilium.bpf.sys.LibBpf;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The BTF (type information) of a compiled BPF object, read with libbpf's {@code btf__parse}. */
public final class Btf implements AutoCloseable {
  /** One member of a struct: bit offset and byte size. */
  public record Member(String name, long bitOffset, long size, int bitfieldSize) {}

  /** A struct as the compiler laid it out. */
  public record Struct(String name, long size, List<Member> members) {
    public Optional<Member> member(String name) {
      return members.stream().filter(m -> m.name().equals(name)).findFirst();
    }
  }

  private final Path file;
  private MemorySegment btf;

  private Btf(Path file, MemorySegment btf) {
    this.file = file;
    this.btf = btf;
  }

  public static Btf parse(Path file) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      MemorySegment b =
          (MemorySegment)
              LibBpf.btf__parse.invokeExact(
                  state, arena.allocateFrom(file.toString()), MemorySegment.NULL);
      if (b.address() == 0) {
        throw new ErrnoException("btf__parse(" + file + ")", Downcalls.errno(state));
      }
      return new Btf(file, b);
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  public Optional<Struct> struct(String name) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int id =
          (int)
              LibBpf.btf__find_by_name_kind.invokeExact(
                  state, handle(), arena.allocateFrom(name), LibBpf.BTF_KIND_STRUCT);
      if (id < 0) {
        return Optional.empty();
      }
      // struct btf_type { u32 name_off; u32 info; u32 size; } + vlen x btf_member { name_off,
      // type, offset }
      MemorySegment t = (MemorySegment) LibBpf.btf__type_by_id.invokeExact(state, handle(), id);
      t = t.reinterpret(12);
      int info = t.get(JAVA_INT, 4);
      int vlen = info & 0xffff;
      boolean kindFlag = (info >>> 31) != 0;
      long size = Integer.toUnsignedLong(t.get(JAVA_INT, 8));
      MemorySegment members = t.reinterpret(12 + 12L * vlen).asSlice(12);
      List<Member> out = new ArrayList<>(vlen);
      for (int i = 0; i < vlen; i++) {
        int nameOff = members.get(JAVA_INT, i * 12L);
        int type = members.get(JAVA_INT, i * 12L + 4);
        int offset = members.get(JAVA_INT, i * 12L + 8);
        long bitOffset = kindFlag ? (offset & 0xffffff) : Integer.toUnsignedLong(offset);
        int bitfieldSize = kindFlag ? (offset >>> 24) : 0;
        long memberSize = (long) LibBpf.btf__resolve_size.invokeExact(state, handle(), type);
        out.add(new Member(nameAt(state, nameOff), bitOffset, memberSize, bitfieldSize));
      }
      return Optional.of(new Struct(name, size, List.copyOf(out)));
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  /** A global variable of a data section: its byte offset in the section and its size. */
  public record Variable(String name, long offset, long size) {}

  /**
   * The global variable {@code name} of the data section {@code datasec} (such as {@code .rodata}),
   * from the section's BTF: where the loader must write it in the section's initial value.
   */
  public Optional<Variable> variable(String datasec, String name) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = Downcalls.allocateCallState(arena);
      int id =
          (int)
              LibBpf.btf__find_by_name_kind.invokeExact(
                  state, handle(), arena.allocateFrom(datasec), LibBpf.BTF_KIND_DATASEC);
      if (id < 0) {
        return Optional.empty();
      }
      // struct btf_type (12 bytes) + vlen x btf_var_secinfo { type, offset, size }
      MemorySegment t = (MemorySegment) LibBpf.btf__type_by_id.invokeExact(state, handle(), id);
      int vlen = t.reinterpret(12).get(JAVA_INT, 4) & 0xffff;
      MemorySegment vars = t.reinterpret(12 + 12L * vlen).asSlice(12);
      for (int i = 0; i < vlen; i++) {
        int type = vars.get(JAVA_INT, i * 12L);
        MemorySegment var =
            ((MemorySegment) LibBpf.btf__type_by_id.invokeExact(state, handle(), type))
                .reinterpret(12);
        if (nameAt(state, var.get(JAVA_INT, 0)).equals(name)) {
          return Optional.of(
              new Variable(
                  name,
                  Integer.toUnsignedLong(vars.get(JAVA_INT, i * 12L + 4)),
                  Integer.toUnsignedLong(vars.get(JAVA_INT, i * 12L + 8))));
        }
      }
      return Optional.empty();
    } catch (Throwable t) {
      throw Native.rethrow(t);
    }
  }

  private String nameAt(MemorySegment state, int offset) throws Throwable {
    MemorySegment s =
        (MemorySegment) LibBpf.btf__name_by_offset.invokeExact(state, handle(), offset);
    if (s.address() == 0) {
      return "";
    }
    return s.reinterpret(1024).getString(0, StandardCharsets.UTF_8);
  }

  private MemorySegment handle() {
    if (btf == null) {
      throw new IllegalStateException("BTF of " + file + " is closed");
    }
    return btf;
  }

  @Override
  public synchronized void close() {
    if (btf != null) {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment state = Downcalls.allocateCallState(arena);
        LibBpf.btf__free.invokeExact(state, btf);
      } catch (Throwable t) {
        throw Native.rethrow(t);
      } finally {
        btf = null;
      }
    }
  }
}
