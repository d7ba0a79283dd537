package io.jilium.core.resource;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The ICMP type names a CiliumNetworkPolicy accepts in {@code icmps[].fields[].type}, per family,
 * with their numbers (Cilium's pkg/policy/api/icmp.go). A name is valid only for its family: {@code
 * PacketTooBig} is an ICMPv6 type, {@code Redirect} an ICMPv4 one ({@code RedirectMessage} for
 * ICMPv6). Names are case-sensitive.
 */
final class IcmpTypes {
  static final Map<String, Integer> IPV4 =
      ordered(
          "EchoReply", 0,
          "DestinationUnreachable", 3,
          "Redirect", 5,
          "Echo", 8,
          "EchoRequest", 8,
          "RouterAdvertisement", 9,
          "RouterSelection", 10,
          "TimeExceeded", 11,
          "ParameterProblem", 12,
          "Timestamp", 13,
          "TimestampReply", 14,
          "Photuris", 40,
          "ExtendedEchoRequest", 42,
          "ExtendedEchoReply", 43);

  static final Map<String, Integer> IPV6 =
      ordered(
          "DestinationUnreachable", 1,
          "PacketTooBig", 2,
          "TimeExceeded", 3,
          "ParameterProblem", 4,
          "EchoRequest", 128,
          "EchoReply", 129,
          "MulticastListenerQuery", 130,
          "MulticastListenerReport", 131,
          "MulticastListenerDone", 132,
          "RouterSolicitation", 133,
          "RouterAdvertisement", 134,
          "NeighborSolicitation", 135,
          "NeighborAdvertisement", 136,
          "RedirectMessage", 137,
          "RouterRenumbering", 138,
          "ICMPNodeInformationQuery", 139,
          "ICMPNodeInformationResponse", 140,
          "InverseNeighborDiscoverySolicitation", 141,
          "InverseNeighborDiscoveryAdvertisement", 142,
          "HomeAgentAddressDiscoveryRequest", 144,
          "HomeAgentAddressDiscoveryReply", 145,
          "MobilePrefixSolicitation", 146,
          "MobilePrefixAdvertisement", 147,
          "DuplicateAddressRequestCodeSuffix", 157,
          "DuplicateAddressConfirmationCodeSuffix", 158,
          "ExtendedEchoRequest", 160,
          "ExtendedEchoReply", 161);

  private IcmpTypes() {}

  static Optional<Integer> byName(boolean ipv6, String name) {
    return Optional.ofNullable((ipv6 ? IPV6 : IPV4).get(name));
  }

  private static Map<String, Integer> ordered(Object... nameNumber) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < nameNumber.length; i += 2) {
      m.put((String) nameNumber[i], (Integer) nameNumber[i + 1]);
    }
    return Collections.unmodifiableMap(m);
  }
}
