package io.jilium.core.flow;

import java.util.Optional;

/**
 * Datapath drop reasons with Cilium's codes, its monitor descriptions and Hubble's {@code
 * DropReason} enum names. Mirrors bpf/lib/drop.h (a test compares them): {@link #macro()} is the C
 * name without the {@code DROP_} prefix.
 */
public enum DropReason {
  UNUSED1(130, "Invalid source mac", "INVALID_SOURCE_MAC"),
  UNUSED2(131, "Invalid destination mac", "INVALID_DESTINATION_MAC"),
  INVALID_SIP(132, "Invalid source ip", "INVALID_SOURCE_IP"),
  POLICY(133, "Policy denied", "POLICY_DENIED"),
  INVALID(134, "Invalid packet", "INVALID_PACKET_DROPPED"),
  CT_INVALID_HDR(135, "CT: Truncated or invalid header", "CT_TRUNCATED_OR_INVALID_HEADER"),
  FRAG_NEEDED(136, "Fragmentation needed", "CT_MISSING_TCP_ACK_FLAG"),
  CT_UNKNOWN_PROTO(137, "CT: Unknown L4 protocol", "CT_UNKNOWN_L4_PROTOCOL"),
  UNUSED4(138, "CT: Can't create entry from packet", "CT_CANNOT_CREATE_ENTRY_FROM_PACKET"),
  UNKNOWN_L3(139, "Unsupported L3 protocol", "UNSUPPORTED_L3_PROTOCOL"),
  MISSED_TAIL_CALL(140, "Missed tail call", "MISSED_TAIL_CALL"),
  WRITE_ERROR(141, "Error writing to packet", "ERROR_WRITING_TO_PACKET"),
  UNKNOWN_L4(142, "Unknown L4 protocol", "UNKNOWN_L4_PROTOCOL"),
  UNKNOWN_ICMP_CODE(143, "Unknown ICMPv4 code", "UNKNOWN_ICMPV4_CODE"),
  UNKNOWN_ICMP_TYPE(144, "Unknown ICMPv4 type", "UNKNOWN_ICMPV4_TYPE"),
  UNKNOWN_ICMP6_CODE(145, "Unknown ICMPv6 code", "UNKNOWN_ICMPV6_CODE"),
  UNKNOWN_ICMP6_TYPE(146, "Unknown ICMPv6 type", "UNKNOWN_ICMPV6_TYPE"),
  NO_TUNNEL_KEY(147, "Error retrieving tunnel key", "ERROR_RETRIEVING_TUNNEL_KEY"),
  UNUSED5(148, "Error retrieving tunnel options", "ERROR_RETRIEVING_TUNNEL_OPTIONS"),
  UNUSED6(149, "Invalid Geneve option", "INVALID_GENEVE_OPTION"),
  UNKNOWN_TARGET(150, "Unknown L3 target address", "UNKNOWN_L3_TARGET_ADDRESS"),
  UNROUTABLE(151, "Stale or unroutable IP", "STALE_OR_UNROUTABLE_IP"),
  UNUSED7(152, "No matching local container found", "NO_MATCHING_LOCAL_CONTAINER_FOUND"),
  CSUM_L3(153, "Error while correcting L3 checksum", "ERROR_WHILE_CORRECTING_L3_CHECKSUM"),
  CSUM_L4(154, "Error while correcting L4 checksum", "ERROR_WHILE_CORRECTING_L4_CHECKSUM"),
  CT_CREATE_FAILED(155, "CT: Map insertion failed", "CT_MAP_INSERTION_FAILED"),
  INVALID_EXTHDR(156, "Invalid IPv6 extension header", "INVALID_IPV6_EXTENSION_HEADER"),
  FRAG_NOSUPPORT(157, "IP fragmentation not supported", "IP_FRAGMENTATION_NOT_SUPPORTED"),
  NO_SERVICE(158, "Service backend not found", "SERVICE_BACKEND_NOT_FOUND"),
  NO_TUNNEL_ENDPOINT(
      160,
      "No tunnel/encapsulation endpoint (datapath BUG!)",
      "NO_TUNNEL_OR_ENCAPSULATION_ENDPOINT"),
  NAT_46X64_DISABLED(161, "NAT 46/64 not enabled", "FAILED_TO_INSERT_INTO_PROXYMAP"),
  EDT_HORIZON(
      162, "Reached EDT rate-limiting drop horizon", "REACHED_EDT_RATE_LIMITING_DROP_HORIZON"),
  UNKNOWN_CT(163, "Unknown connection tracking state", "UNKNOWN_CONNECTION_TRACKING_STATE"),
  HOST_UNREACHABLE(164, "Local host is unreachable", "LOCAL_HOST_IS_UNREACHABLE"),
  NO_CONFIG(
      165,
      "No configuration available to perform policy decision",
      "NO_CONFIGURATION_AVAILABLE_TO_PERFORM_POLICY_DECISION"),
  UNSUPPORTED_L2(166, "Unsupported L2 protocol", "UNSUPPORTED_L2_PROTOCOL"),
  NAT_NO_MAPPING(167, "No mapping for NAT masquerade", "NO_MAPPING_FOR_NAT_MASQUERADE"),
  NAT_UNSUPP_PROTO(
      168, "Unsupported protocol for NAT masquerade", "UNSUPPORTED_PROTOCOL_FOR_NAT_MASQUERADE"),
  NO_FIB(169, "FIB lookup failed", "FIB_LOOKUP_FAILED"),
  ENCAP_PROHIBITED(
      170, "Encapsulation traffic is prohibited", "ENCAPSULATION_TRAFFIC_IS_PROHIBITED"),
  INVALID_IDENTITY(171, "Invalid identity", "INVALID_IDENTITY"),
  UNKNOWN_SENDER(172, "Unknown sender", "UNKNOWN_SENDER"),
  NAT_NOT_NEEDED(173, "NAT not needed", "NAT_NOT_NEEDED"),
  IS_CLUSTER_IP(174, "Is a ClusterIP", "IS_A_CLUSTERIP"),
  FRAG_NOT_FOUND(
      175,
      "First logical datagram fragment not found",
      "FIRST_LOGICAL_DATAGRAM_FRAGMENT_NOT_FOUND"),
  FORBIDDEN_ICMP6(176, "Forbidden ICMPv6 message", "FORBIDDEN_ICMPV6_MESSAGE"),
  NOT_IN_SRC_RANGE(177, "Denied by LB src range check", "DENIED_BY_LB_SRC_RANGE_CHECK"),
  PROXY_LOOKUP_FAILED(178, "Socket lookup failed", "SOCKET_LOOKUP_FAILED"),
  PROXY_SET_FAILED(179, "Socket assign failed", "SOCKET_ASSIGN_FAILED"),
  PROXY_UNKNOWN_PROTO(
      180,
      "Proxy redirection not supported for protocol",
      "PROXY_REDIRECTION_NOT_SUPPORTED_FOR_PROTOCOL"),
  POLICY_DENY(181, "Policy denied by denylist", "POLICY_DENY"),
  VLAN_FILTERED(182, "VLAN traffic disallowed by VLAN filter", "VLAN_FILTERED"),
  INVALID_VNI(183, "Incorrect VNI from VTEP", "INVALID_VNI"),
  INVALID_TC_BUFFER(184, "Failed to update or lookup TC buffer", "INVALID_TC_BUFFER"),
  NO_SID(185, "No SID was found for the IP address", "NO_SID"),
  MISSING_SRV6_STATE(186, "SRv6 state was removed during tail call", "MISSING_SRV6_STATE"),
  NAT46(187, "L3 translation from IPv4 to IPv6 failed (NAT46)", "NAT46"),
  NAT64(188, "L3 translation from IPv6 to IPv4 failed (NAT64)", "NAT64"),
  POLICY_AUTH_REQUIRED(189, "Authentication required", "AUTH_REQUIRED"),
  CT_NO_MAP_FOUND(190, "No conntrack map found", "CT_NO_MAP_FOUND"),
  SNAT_NO_MAP_FOUND(191, "No nat map found", "SNAT_NO_MAP_FOUND"),
  INVALID_CLUSTER_ID(192, "Invalid ClusterID", "INVALID_CLUSTER_ID"),
  DSR_ENCAP_UNSUPP_PROTO(
      193,
      "Unsupported packet protocol for DSR encapsulation",
      "UNSUPPORTED_PROTOCOL_FOR_DSR_ENCAP"),
  NO_EGRESS_GATEWAY(194, "No egress gateway found", "NO_EGRESS_GATEWAY"),
  UNENCRYPTED_TRAFFIC(195, "Traffic is unencrypted", "UNENCRYPTED_TRAFFIC"),
  TTL_EXCEEDED(196, "TTL exceeded", "TTL_EXCEEDED"),
  NO_NODE_ID(197, "No node ID found", "NO_NODE_ID"),
  RATE_LIMITED(198, "Rate limited", "DROP_RATE_LIMITED"),
  HOST_NOT_READY(202, "Host datapath not ready", "DROP_HOST_NOT_READY"),
  EP_NOT_READY(203, "Endpoint policy program not available", "DROP_EP_NOT_READY"),
  NO_EGRESS_IP(204, "No Egress IP configured", "DROP_NO_EGRESS_IP");

  private final int code;
  private final String description;
  private final String hubbleName;

  DropReason(int code, String description, String hubbleName) {
    this.code = code;
    this.description = description;
    this.hubbleName = hubbleName;
  }

  /** The positive code carried by notifications and metrics. */
  public int code() {
    return code;
  }

  /** Cilium's monitor text, e.g. "Policy denied". */
  public String description() {
    return description;
  }

  /** The name of the value in Hubble's {@code flow.DropReason} enum. */
  public String hubbleName() {
    return hubbleName;
  }

  /** The C macro name without {@code DROP_}. */
  public String macro() {
    return name();
  }

  public static Optional<DropReason> of(int code) {
    for (DropReason r : values()) {
      if (r.code == code) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  /** The description, or the bare number for codes Jilium does not know (as Cilium prints). */
  public static String describe(int code) {
    return of(code).map(DropReason::description).orElse(Integer.toString(code));
  }
}
