package io.jilium.bpf.maps;

import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.jilium.bpf.Btf;
import io.jilium.bpf.LayoutCheck;
import java.lang.foreign.StructLayout;
import java.util.ArrayList;
import java.util.List;

/** The Java side of every struct shared with the datapath, named as in bpf/lib/maps.h. */
public final class DatapathLayouts {
  /** {@code struct endpoint_key}. */
  public static final StructLayout ENDPOINT_KEY =
      structLayout(JAVA_INT.withName("ifindex")).withName("endpoint_key");

  /** {@code struct endpoint_info}. */
  public static final StructLayout ENDPOINT_INFO =
      structLayout(
              JAVA_INT.withName("ep_id"),
              JAVA_INT.withName("sec_id"),
              JAVA_INT.withName("flags"),
              JAVA_INT.withName("ifindex"),
              sequenceLayout(4, JAVA_BYTE).withName("ipv4"),
              sequenceLayout(16, JAVA_BYTE).withName("ipv6"),
              sequenceLayout(6, JAVA_BYTE).withName("mac"),
              sequenceLayout(6, JAVA_BYTE).withName("node_mac"))
          .withName("endpoint_info");

  /** {@code struct ipcache_key}. */
  public static final StructLayout IPCACHE_KEY =
      structLayout(
              JAVA_INT.withName("lpm_key"),
              JAVA_BYTE.withName("family"),
              JAVA_BYTE.withName("pad1"),
              JAVA_SHORT.withName("cluster_id"),
              sequenceLayout(16, JAVA_BYTE).withName("ip"))
          .withName("ipcache_key");

  /** {@code struct remote_endpoint_info}. */
  public static final StructLayout REMOTE_ENDPOINT_INFO =
      structLayout(
              JAVA_INT.withName("sec_identity"),
              sequenceLayout(4, JAVA_BYTE).withName("tunnel_endpoint"),
              JAVA_SHORT.withName("pad"),
              JAVA_BYTE.withName("key"),
              JAVA_BYTE.withName("flags"))
          .withName("remote_endpoint_info");

  /** {@code struct policy_key}. */
  public static final StructLayout POLICY_KEY =
      structLayout(
              JAVA_INT.withName("lpm_key"),
              JAVA_INT.withName("sec_label"),
              JAVA_BYTE.withName("egress"),
              JAVA_BYTE.withName("protocol"),
              JAVA_SHORT.withName("dport"))
          .withName("policy_key");

  /** {@code struct policy_entry}. */
  public static final StructLayout POLICY_ENTRY =
      structLayout(
              JAVA_SHORT.withName("proxy_port"),
              JAVA_BYTE.withName("flags"),
              JAVA_BYTE.withName("auth_type"),
              JAVA_INT.withName("cookie"),
              JAVA_LONG.withName("packets"),
              JAVA_LONG.withName("bytes"))
          .withName("policy_entry");

  /** {@code struct ct_key4}. */
  public static final StructLayout CT_KEY4 =
      structLayout(
              sequenceLayout(4, JAVA_BYTE).withName("daddr"),
              sequenceLayout(4, JAVA_BYTE).withName("saddr"),
              JAVA_SHORT.withName("dport"),
              JAVA_SHORT.withName("sport"),
              JAVA_BYTE.withName("nexthdr"),
              JAVA_BYTE.withName("flags"),
              JAVA_SHORT.withName("pad"))
          .withName("ct_key4");

  /** {@code struct ct_key6}. */
  public static final StructLayout CT_KEY6 =
      structLayout(
              sequenceLayout(16, JAVA_BYTE).withName("daddr"),
              sequenceLayout(16, JAVA_BYTE).withName("saddr"),
              JAVA_SHORT.withName("dport"),
              JAVA_SHORT.withName("sport"),
              JAVA_BYTE.withName("nexthdr"),
              JAVA_BYTE.withName("flags"),
              JAVA_SHORT.withName("pad"))
          .withName("ct_key6");

  /** {@code struct ct_entry}. */
  public static final StructLayout CT_ENTRY =
      structLayout(
              JAVA_LONG.withName("tx_packets"),
              JAVA_LONG.withName("tx_bytes"),
              JAVA_LONG.withName("rx_packets"),
              JAVA_LONG.withName("rx_bytes"),
              JAVA_INT.withName("lifetime"),
              JAVA_SHORT.withName("flags"),
              JAVA_BYTE.withName("tx_flags_seen"),
              JAVA_BYTE.withName("rx_flags_seen"),
              JAVA_INT.withName("src_sec_id"),
              JAVA_INT.withName("ep_id"),
              JAVA_INT.withName("last_tx_report"),
              JAVA_INT.withName("last_rx_report"))
          .withName("ct_entry");

  /** {@code struct metrics_key}. */
  public static final StructLayout METRICS_KEY =
      structLayout(
              JAVA_BYTE.withName("reason"), JAVA_BYTE.withName("dir"), JAVA_SHORT.withName("pad"))
          .withName("metrics_key");

  /** {@code struct metrics_value}. */
  public static final StructLayout METRICS_VALUE =
      structLayout(JAVA_LONG.withName("count"), JAVA_LONG.withName("bytes"))
          .withName("metrics_value");

  /** {@code struct drop_notify}: decoded by io.jilium.core.flow.DropNotification. */
  public static final StructLayout DROP_NOTIFY =
      structLayout(
              JAVA_BYTE.withName("type"),
              JAVA_BYTE.withName("subtype"),
              JAVA_SHORT.withName("source"),
              JAVA_INT.withName("hash"),
              JAVA_INT.withName("len_orig"),
              JAVA_SHORT.withName("len_cap"),
              JAVA_SHORT.withName("version"),
              JAVA_INT.withName("src_label"),
              JAVA_INT.withName("dst_label"),
              JAVA_INT.withName("dst_id"),
              JAVA_SHORT.withName("line"),
              JAVA_BYTE.withName("file"),
              JAVA_BYTE.withName("ext_error"),
              JAVA_INT.withName("ifindex"),
              JAVA_BYTE.withName("dir"),
              sequenceLayout(3, JAVA_BYTE).withName("pad"),
              JAVA_LONG.withName("ktime"),
              sequenceLayout(128, JAVA_BYTE).withName("data"))
          .withName("drop_notify");

  /** {@code struct trace_notify}: decoded by io.jilium.core.flow.TraceNotification. */
  public static final StructLayout TRACE_NOTIFY =
      structLayout(
              JAVA_BYTE.withName("type"),
              JAVA_BYTE.withName("subtype"),
              JAVA_SHORT.withName("source"),
              JAVA_INT.withName("hash"),
              JAVA_INT.withName("len_orig"),
              JAVA_SHORT.withName("len_cap"),
              JAVA_SHORT.withName("version"),
              JAVA_INT.withName("src_label"),
              JAVA_INT.withName("dst_label"),
              JAVA_SHORT.withName("dst_id"),
              JAVA_BYTE.withName("reason"),
              JAVA_BYTE.withName("flags"),
              JAVA_INT.withName("ifindex"),
              sequenceLayout(2, JAVA_INT).withName("pad"),
              JAVA_LONG.withName("ktime"),
              sequenceLayout(128, JAVA_BYTE).withName("data"))
          .withName("trace_notify");

  /**
   * {@code struct policy_verdict_notify}: decoded by io.jilium.core.flow.PolicyVerdictNotification.
   */
  public static final StructLayout POLICY_VERDICT_NOTIFY =
      structLayout(
              JAVA_BYTE.withName("type"),
              JAVA_BYTE.withName("subtype"),
              JAVA_SHORT.withName("source"),
              JAVA_INT.withName("hash"),
              JAVA_INT.withName("len_orig"),
              JAVA_SHORT.withName("len_cap"),
              JAVA_SHORT.withName("version"),
              JAVA_INT.withName("remote_label"),
              JAVA_INT.withName("verdict"),
              JAVA_SHORT.withName("dst_port"),
              JAVA_BYTE.withName("proto"),
              JAVA_BYTE.withName("dir"),
              JAVA_BYTE.withName("match_type"),
              JAVA_BYTE.withName("audited"),
              JAVA_SHORT.withName("pad"),
              JAVA_INT.withName("ifindex"),
              JAVA_INT.withName("pad2"),
              JAVA_LONG.withName("ktime"),
              sequenceLayout(128, JAVA_BYTE).withName("data"))
          .withName("policy_verdict_notify");

  /** {@code struct lxc_config}: written by io.jilium.bpf.loader.LxcDatapath#configure. */
  public static final StructLayout LXC_CONFIG =
      structLayout(
              JAVA_INT.withName("monitor_aggregation"),
              JAVA_INT.withName("report_interval"),
              JAVA_BYTE.withName("report_tcp_flags"),
              JAVA_BYTE.withName("trace_enabled"),
              JAVA_BYTE.withName("policy_verdict_enabled"),
              JAVA_BYTE.withName("pad"))
          .withName("lxc_config");

  /** {@code struct lb4_key}: a frontend slot of {@code jl_lb4_services}. */
  public static final StructLayout LB4_KEY =
      structLayout(
              sequenceLayout(4, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("dport"),
              JAVA_SHORT.withName("backend_slot"),
              JAVA_BYTE.withName("proto"),
              JAVA_BYTE.withName("scope"),
              JAVA_SHORT.withName("pad"))
          .withName("lb4_key");

  /** {@code struct lb6_key}: a frontend slot of {@code jl_lb6_services}. */
  public static final StructLayout LB6_KEY =
      structLayout(
              sequenceLayout(16, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("dport"),
              JAVA_SHORT.withName("backend_slot"),
              JAVA_BYTE.withName("proto"),
              JAVA_BYTE.withName("scope"),
              JAVA_SHORT.withName("pad"))
          .withName("lb6_key");

  /** {@code struct lb_service}: the service entry (slot 0) or a backend slot. */
  public static final StructLayout LB_SERVICE =
      structLayout(
              JAVA_INT.withName("backend_id"),
              JAVA_SHORT.withName("count"),
              JAVA_SHORT.withName("rev_nat_index"),
              JAVA_BYTE.withName("flags"),
              JAVA_BYTE.withName("pad1"),
              JAVA_SHORT.withName("pad2"),
              JAVA_INT.withName("affinity_timeout"))
          .withName("lb_service");

  /** {@code struct lb4_backend}. */
  public static final StructLayout LB4_BACKEND =
      structLayout(
              sequenceLayout(4, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("port"),
              JAVA_BYTE.withName("proto"),
              JAVA_BYTE.withName("state"))
          .withName("lb4_backend");

  /** {@code struct lb6_backend}. */
  public static final StructLayout LB6_BACKEND =
      structLayout(
              sequenceLayout(16, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("port"),
              JAVA_BYTE.withName("proto"),
              JAVA_BYTE.withName("state"))
          .withName("lb6_backend");

  /** {@code struct lb4_reverse_nat}. */
  public static final StructLayout LB4_REVERSE_NAT =
      structLayout(
              sequenceLayout(4, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("port"),
              JAVA_SHORT.withName("pad"))
          .withName("lb4_reverse_nat");

  /** {@code struct lb6_reverse_nat}. */
  public static final StructLayout LB6_REVERSE_NAT =
      structLayout(
              sequenceLayout(16, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("port"),
              JAVA_SHORT.withName("pad"))
          .withName("lb6_reverse_nat");

  /** {@code struct lb4_affinity_key}. */
  public static final StructLayout LB4_AFFINITY_KEY =
      structLayout(
              JAVA_LONG.withName("client"),
              JAVA_SHORT.withName("rev_nat_index"),
              JAVA_BYTE.withName("netns"),
              JAVA_BYTE.withName("pad1"),
              JAVA_INT.withName("pad2"))
          .withName("lb4_affinity_key");

  /** {@code struct lb6_affinity_key}. */
  public static final StructLayout LB6_AFFINITY_KEY =
      structLayout(
              sequenceLayout(16, JAVA_BYTE).withName("client"),
              JAVA_SHORT.withName("rev_nat_index"),
              JAVA_BYTE.withName("netns"),
              JAVA_BYTE.withName("pad1"),
              JAVA_INT.withName("pad2"))
          .withName("lb6_affinity_key");

  /** {@code struct lb_affinity_val}. */
  public static final StructLayout LB_AFFINITY_VAL =
      structLayout(
              JAVA_LONG.withName("last_used"),
              JAVA_INT.withName("backend_id"),
              JAVA_INT.withName("pad"))
          .withName("lb_affinity_val");

  /** {@code struct lb4_sock_revnat_key}. */
  public static final StructLayout LB4_SOCK_REVNAT_KEY =
      structLayout(
              JAVA_LONG.withName("cookie"),
              sequenceLayout(4, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("port"),
              JAVA_SHORT.withName("pad"))
          .withName("lb4_sock_revnat_key");

  /** {@code struct lb4_sock_revnat_val}. */
  public static final StructLayout LB4_SOCK_REVNAT_VAL =
      structLayout(
              sequenceLayout(4, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("port"),
              JAVA_SHORT.withName("rev_nat_index"))
          .withName("lb4_sock_revnat_val");

  /** {@code struct lb6_sock_revnat_key}. */
  public static final StructLayout LB6_SOCK_REVNAT_KEY =
      structLayout(
              JAVA_LONG.withName("cookie"),
              sequenceLayout(16, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("port"),
              JAVA_SHORT.withName("pad1"),
              JAVA_INT.withName("pad2"))
          .withName("lb6_sock_revnat_key");

  /** {@code struct lb6_sock_revnat_val}. */
  public static final StructLayout LB6_SOCK_REVNAT_VAL =
      structLayout(
              sequenceLayout(16, JAVA_BYTE).withName("address"),
              JAVA_SHORT.withName("port"),
              JAVA_SHORT.withName("rev_nat_index"))
          .withName("lb6_sock_revnat_val");

  /** {@code struct lb4_ct_key}. */
  public static final StructLayout LB4_CT_KEY =
      structLayout(
              sequenceLayout(4, JAVA_BYTE).withName("saddr"),
              sequenceLayout(4, JAVA_BYTE).withName("daddr"),
              JAVA_SHORT.withName("sport"),
              JAVA_SHORT.withName("dport"),
              JAVA_BYTE.withName("proto"),
              JAVA_BYTE.withName("dir"),
              JAVA_SHORT.withName("pad"))
          .withName("lb4_ct_key");

  /** {@code struct lb6_ct_key}. */
  public static final StructLayout LB6_CT_KEY =
      structLayout(
              sequenceLayout(16, JAVA_BYTE).withName("saddr"),
              sequenceLayout(16, JAVA_BYTE).withName("daddr"),
              JAVA_SHORT.withName("sport"),
              JAVA_SHORT.withName("dport"),
              JAVA_BYTE.withName("proto"),
              JAVA_BYTE.withName("dir"),
              JAVA_SHORT.withName("pad"))
          .withName("lb6_ct_key");

  /** {@code struct lb_ct_entry}. */
  public static final StructLayout LB_CT_ENTRY =
      structLayout(
              JAVA_INT.withName("backend_id"),
              JAVA_SHORT.withName("rev_nat_index"),
              JAVA_SHORT.withName("nat_port"),
              sequenceLayout(16, JAVA_BYTE).withName("nat_addr"),
              JAVA_INT.withName("lifetime"),
              JAVA_INT.withName("pad"))
          .withName("lb_ct_entry");

  public static final List<StructLayout> ALL =
      List.of(
          ENDPOINT_KEY,
          ENDPOINT_INFO,
          IPCACHE_KEY,
          REMOTE_ENDPOINT_INFO,
          POLICY_KEY,
          POLICY_ENTRY,
          CT_KEY4,
          CT_KEY6,
          CT_ENTRY,
          METRICS_KEY,
          METRICS_VALUE,
          DROP_NOTIFY,
          TRACE_NOTIFY,
          POLICY_VERDICT_NOTIFY,
          LXC_CONFIG,
          LB4_KEY,
          LB6_KEY,
          LB_SERVICE,
          LB4_BACKEND,
          LB6_BACKEND,
          LB4_REVERSE_NAT,
          LB6_REVERSE_NAT,
          LB4_AFFINITY_KEY,
          LB6_AFFINITY_KEY,
          LB_AFFINITY_VAL,
          LB4_SOCK_REVNAT_KEY,
          LB4_SOCK_REVNAT_VAL,
          LB6_SOCK_REVNAT_KEY,
          LB6_SOCK_REVNAT_VAL,
          LB4_CT_KEY,
          LB6_CT_KEY,
          LB_CT_ENTRY);

  private DatapathLayouts() {}

  /** Every mismatch between these layouts and the BTF of {@code btf}; empty when all agree. */
  public static List<String> check(Btf btf) {
    List<String> problems = new ArrayList<>();
    for (StructLayout l : ALL) {
      problems.addAll(LayoutCheck.compare(btf, l));
    }
    return problems;
  }
}
