package io.jilium.bpf.maps;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.bpf.Btf;
import io.jilium.bpf.LayoutCheck;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every Java layout shared with the datapath matches the BTF of the compiled object. */
class DatapathLayoutsTest {
  private static final Path OBJECT = Path.of("target/classes/bpf/bpf_lxc.o");

  @Test
  void everyLayoutMatchesTheCompiledObject() {
    assertThat(OBJECT).exists();
    try (Btf btf = Btf.parse(OBJECT)) {
      assertThat(DatapathLayouts.check(btf)).isEmpty();
      for (StructLayout l : DatapathLayouts.ALL) {
        String name = l.name().orElseThrow();
        assertThat(btf.struct(name)).as(name).isPresent();
        assertThat(btf.struct(name).orElseThrow().size()).as(name).isEqualTo(l.byteSize());
      }
    }
  }

  @Test
  void aMisplacedFieldIsReported() throws Exception {
    assertThat(Files.exists(OBJECT)).isTrue();
    // policy_key with protocol and egress swapped: same size, different offsets
    StructLayout wrong =
        MemoryLayout.structLayout(
                ValueLayout.JAVA_INT.withName("lpm_key"),
                ValueLayout.JAVA_INT.withName("sec_label"),
                ValueLayout.JAVA_BYTE.withName("protocol"),
                ValueLayout.JAVA_BYTE.withName("egress"),
                ValueLayout.JAVA_SHORT.withName("dport"))
            .withName("policy_key");
    try (Btf btf = Btf.parse(OBJECT)) {
      assertThat(LayoutCheck.compare(btf, wrong))
          .containsExactlyInAnyOrder(
              "struct policy_key.protocol: offset 8 in Java, 9 in C",
              "struct policy_key.egress: offset 9 in Java, 8 in C");
    }
  }

  @Test
  void aMissingOrExtraFieldIsReported() {
    StructLayout shorter =
        MemoryLayout.structLayout(ValueLayout.JAVA_LONG.withName("count"))
            .withName("metrics_value");
    try (Btf btf = Btf.parse(OBJECT)) {
      assertThat(LayoutCheck.compare(btf, shorter))
          .contains(
              "struct metrics_value: size 8 in Java, 16 in C",
              "struct metrics_value.bytes: not in Java");
      StructLayout unknown =
          MemoryLayout.structLayout(ValueLayout.JAVA_INT.withName("x")).withName("no_such_struct");
      assertThat(LayoutCheck.compare(btf, unknown))
          .containsExactly("struct no_such_struct: not in the BTF");
    }
  }
}
