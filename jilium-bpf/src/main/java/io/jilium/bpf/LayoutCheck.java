package io.jilium.bpf;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compares a Java {@link GroupLayout} with the C struct of the same name in an object's BTF: total
 * size, and offset and size of every named member. Padding members are skipped; C members the Java
 * layout does not name are reported, so both sides stay complete.
 */
public final class LayoutCheck {
  private LayoutCheck() {}

  /** The differences, empty when the layout matches. */
  public static List<String> compare(Btf btf, GroupLayout layout) {
    String name =
        layout.name().orElseThrow(() -> new IllegalArgumentException("layout has no name"));
    Optional<Btf.Struct> found = btf.struct(name);
    if (found.isEmpty()) {
      return List.of("struct " + name + ": not in the BTF");
    }
    Btf.Struct struct = found.get();
    List<String> problems = new ArrayList<>();
    if (struct.size() != layout.byteSize()) {
      problems.add(
          "struct "
              + name
              + ": size "
              + layout.byteSize()
              + " in Java, "
              + struct.size()
              + " in C");
    }
    long offset = 0;
    List<String> javaNames = new ArrayList<>();
    for (MemoryLayout member : layout.memberLayouts()) {
      if (member instanceof PaddingLayout) {
        offset += member.byteSize();
        continue;
      }
      String memberName = member.name().orElse("?");
      javaNames.add(memberName);
      Optional<Btf.Member> c = struct.member(memberName);
      if (c.isEmpty()) {
        problems.add("struct " + name + "." + memberName + ": not in C");
      } else {
        Btf.Member cm = c.get();
        if (cm.bitfieldSize() != 0) {
          problems.add("struct " + name + "." + memberName + ": a bitfield in C");
        } else if (cm.bitOffset() != offset * 8) {
          problems.add(
              "struct "
                  + name
                  + "."
                  + memberName
                  + ": offset "
                  + offset
                  + " in Java, "
                  + cm.bitOffset() / 8
                  + " in C");
        } else if (cm.size() != member.byteSize()) {
          problems.add(
              "struct "
                  + name
                  + "."
                  + memberName
                  + ": size "
                  + member.byteSize()
                  + " in Java, "
                  + cm.size()
                  + " in C");
        }
      }
      if (layout instanceof java.lang.foreign.StructLayout) {
        offset += member.byteSize();
      }
    }
    for (Btf.Member cm : struct.members()) {
      if (!cm.name().isEmpty() && !cm.name().startsWith("pad") && !javaNames.contains(cm.name())) {
        problems.add("struct " + name + "." + cm.name() + ": not in Java");
      }
    }
    return problems;
  }
}
