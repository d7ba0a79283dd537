package io.jilium.bpf.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Downcall handles for the parts of libbpf 1.1 (Debian's libbpf1) that Jilium uses. Thin on
 * purpose: typed objects in {@code io.jilium.bpf} call these and turn failures into exceptions.
 * Every handle captures errno; its first argument is the call-state segment.
 */
public final class LibBpf {
  /** libbpf stays loaded for the life of the process: the library handle is never closed. */
  private static final SymbolLookup LIB = SymbolLookup.libraryLookup("libbpf.so.1", Arena.global());

  private static MethodHandle h(String name, FunctionDescriptor fd) {
    return Downcalls.withErrno(LIB, name, fd);
  }

  // objects
  public static final MethodHandle bpf_object__open_file =
      h("bpf_object__open_file", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_object__load =
      h("bpf_object__load", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_object__close =
      h("bpf_object__close", FunctionDescriptor.ofVoid(ADDRESS));
  public static final MethodHandle bpf_object__find_map_by_name =
      h("bpf_object__find_map_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_object__find_program_by_name =
      h("bpf_object__find_program_by_name", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_object__next_map =
      h("bpf_object__next_map", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_object__next_program =
      h("bpf_object__next_program", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

  // maps and programs inside an object
  public static final MethodHandle bpf_map__name =
      h("bpf_map__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
  public static final MethodHandle bpf_map__fd =
      h("bpf_map__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_map__set_pin_path =
      h("bpf_map__set_pin_path", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_map__reuse_fd =
      h("bpf_map__reuse_fd", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  public static final MethodHandle bpf_map__key_size =
      h("bpf_map__key_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_map__value_size =
      h("bpf_map__value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_map__max_entries =
      h("bpf_map__max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_map__set_max_entries =
      h("bpf_map__set_max_entries", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  public static final MethodHandle bpf_map__set_value_size =
      h("bpf_map__set_value_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  public static final MethodHandle bpf_map__inner_map =
      h("bpf_map__inner_map", FunctionDescriptor.of(ADDRESS, ADDRESS));
  public static final MethodHandle bpf_map__initial_value =
      h("bpf_map__initial_value", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_map__set_initial_value =
      h("bpf_map__set_initial_value", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
  public static final MethodHandle bpf_program__name =
      h("bpf_program__name", FunctionDescriptor.of(ADDRESS, ADDRESS));
  public static final MethodHandle bpf_program__fd =
      h("bpf_program__fd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_program__set_log_level =
      h("bpf_program__set_log_level", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  public static final MethodHandle bpf_program__set_log_buf =
      h("bpf_program__set_log_buf", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));

  // fd-level operations (tools/lib/bpf/bpf.h)
  public static final MethodHandle bpf_map_create =
      h(
          "bpf_map_create",
          FunctionDescriptor.of(
              JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_map_update_elem =
      h(
          "bpf_map_update_elem",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
  // int bpf_map_update_batch(int fd, const void *keys, const void *values, __u32 *count,
  //                          const struct bpf_map_batch_opts *opts); NULL opts: BPF_ANY
  public static final MethodHandle bpf_map_update_batch =
      h(
          "bpf_map_update_batch",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_map_delete_batch =
      h(
          "bpf_map_delete_batch",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_map_lookup_elem =
      h("bpf_map_lookup_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_map_delete_elem =
      h("bpf_map_delete_elem", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_map_get_next_key =
      h("bpf_map_get_next_key", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_obj_pin =
      h("bpf_obj_pin", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_obj_get =
      h("bpf_obj_get", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_obj_get_info_by_fd =
      h("bpf_obj_get_info_by_fd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_map_get_fd_by_id =
      h("bpf_map_get_fd_by_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  public static final MethodHandle bpf_prog_test_run_opts =
      h("bpf_prog_test_run_opts", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));

  // links (cgroup hooks)
  public static final MethodHandle bpf_link_create =
      h("bpf_link_create", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_link_update =
      h("bpf_link_update", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_link_detach =
      h("bpf_link_detach", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  // tc (clsact + cls_bpf direct action)
  public static final MethodHandle bpf_tc_hook_create =
      h("bpf_tc_hook_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_tc_hook_destroy =
      h("bpf_tc_hook_destroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle bpf_tc_attach =
      h("bpf_tc_attach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_tc_detach =
      h("bpf_tc_detach", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
  public static final MethodHandle bpf_tc_query =
      h("bpf_tc_query", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

  // ring buffer
  public static final MethodHandle ring_buffer__new =
      h("ring_buffer__new", FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
  public static final MethodHandle ring_buffer__poll =
      h("ring_buffer__poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  public static final MethodHandle ring_buffer__consume =
      h("ring_buffer__consume", FunctionDescriptor.of(JAVA_INT, ADDRESS));
  public static final MethodHandle ring_buffer__free =
      h("ring_buffer__free", FunctionDescriptor.ofVoid(ADDRESS));

  // BTF
  public static final MethodHandle btf__parse =
      h("btf__parse", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
  public static final MethodHandle btf__free = h("btf__free", FunctionDescriptor.ofVoid(ADDRESS));
  public static final MethodHandle btf__find_by_name_kind =
      h("btf__find_by_name_kind", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
  public static final MethodHandle btf__type_by_id =
      h("btf__type_by_id", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
  public static final MethodHandle btf__name_by_offset =
      h("btf__name_by_offset", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
  public static final MethodHandle btf__resolve_size =
      h("btf__resolve_size", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT));
  public static final MethodHandle btf__resolve_type =
      h("btf__resolve_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));

  // diagnostics
  public static final MethodHandle libbpf_set_print =
      Downcalls.plain(LIB, "libbpf_set_print", FunctionDescriptor.of(ADDRESS, ADDRESS));
  public static final MethodHandle libbpf_probe_bpf_prog_type =
      h("libbpf_probe_bpf_prog_type", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  public static final MethodHandle libbpf_probe_bpf_map_type =
      h("libbpf_probe_bpf_map_type", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
  public static final MethodHandle libbpf_probe_bpf_helper =
      h("libbpf_probe_bpf_helper", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));

  // constants from linux/bpf.h and libbpf.h
  public static final int BPF_MAP_TYPE_HASH = 1;
  public static final int BPF_MAP_TYPE_ARRAY = 2;
  public static final int BPF_MAP_TYPE_PERCPU_HASH = 5;
  public static final int BPF_MAP_TYPE_PERCPU_ARRAY = 6;
  public static final int BPF_MAP_TYPE_LRU_HASH = 9;
  public static final int BPF_MAP_TYPE_LPM_TRIE = 11;
  public static final int BPF_MAP_TYPE_HASH_OF_MAPS = 13;
  public static final int BPF_MAP_TYPE_RINGBUF = 27;
  public static final int BPF_PROG_TYPE_SCHED_CLS = 3;
  public static final int BPF_F_NO_PREALLOC = 1;
  public static final long BPF_ANY = 0;
  public static final long BPF_NOEXIST = 1;
  public static final long BPF_EXIST = 2;
  public static final int BPF_CGROUP_INET4_CONNECT = 10;
  public static final int BPF_CGROUP_INET6_CONNECT = 11;
  public static final int BPF_CGROUP_UDP4_SENDMSG = 14;
  public static final int BPF_CGROUP_UDP6_SENDMSG = 15;
  public static final int BPF_CGROUP_UDP4_RECVMSG = 19;
  public static final int BPF_CGROUP_UDP6_RECVMSG = 20;
  public static final int BPF_CGROUP_INET4_GETPEERNAME = 29;
  public static final int BPF_CGROUP_INET6_GETPEERNAME = 30;
  public static final int BPF_LINK_TYPE_CGROUP = 3;
  public static final int BPF_TC_INGRESS = 1;
  public static final int BPF_TC_EGRESS = 2;
  public static final int BPF_TC_F_REPLACE = 1;
  public static final int BTF_KIND_STRUCT = 4;
  public static final int BTF_KIND_VAR = 14;
  public static final int BTF_KIND_DATASEC = 15;
  public static final int BPF_FUNC_ringbuf_reserve = 131;

  private LibBpf() {}
}
