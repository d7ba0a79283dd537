package io.jilium.core.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DropReasonTest {
  private static final Path DROP_H = Path.of("../bpf/lib/drop.h");
  private static final Pattern DEFINE =
      Pattern.compile(
          "^#define\\s+DROP_([A-Z0-9_]+)\\s+(-?\\d+)\\s*(?:/\\*.*)?$", Pattern.MULTILINE);

  private static Map<String, Integer> dropDefines() throws IOException {
    Map<String, Integer> out = new LinkedHashMap<>();
    Matcher m = DEFINE.matcher(Files.readString(DROP_H));
    while (m.find()) {
      out.put(m.group(1), Integer.parseInt(m.group(2)));
    }
    return out;
  }

  @Test
  void everyDropInTheDatapathIsInTheEnumWithItsMacroAndCode() throws IOException {
    Map<String, Integer> defines = dropDefines();

    // a sanity floor, so a broken regex cannot make this test pass on nothing
    assertThat(defines).hasSizeGreaterThanOrEqualTo(20).containsKeys("POLICY", "POLICY_DENY");
    defines.forEach(
        (macro, value) -> {
          assertThat(value).as("DROP_%s is negative", macro).isNegative();
          assertThat(DropReason.of(-value))
              .as("DROP_%s = %d in drop.h has no DropReason", macro, value)
              .hasValueSatisfying(r -> assertThat(r.macro()).isEqualTo(macro));
        });
  }

  @Test
  void theHeaderHasNoOtherDropDefinitions() throws IOException {
    // every "#define DROP_" line must be one the contract check reads
    long lines =
        Files.readString(DROP_H).lines().filter(l -> l.startsWith("#define DROP_")).count();

    assertThat(dropDefines()).hasSize((int) lines);
  }

  @Test
  void codesAreUniqueDrops() {
    Set<Integer> seen = new HashSet<>();
    for (DropReason r : DropReason.values()) {
      assertThat(seen.add(r.code())).as("%s reuses %d", r, r.code()).isTrue();
      assertThat(r.code()).isBetween(130, 255);
      assertThat(DropReason.of(r.code())).contains(r);
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // Cilium's monitor strings (pkg/monitor/api/drop.go), see docs/cilium-reference notes
        "130 | Invalid source mac",
        "131 | Invalid destination mac",
        "132 | Invalid source ip",
        "133 | Policy denied",
        "134 | Invalid packet",
        "135 | CT: Truncated or invalid header",
        "136 | Fragmentation needed",
        "137 | CT: Unknown L4 protocol",
        "138 | CT: Can't create entry from packet",
        "139 | Unsupported L3 protocol",
        "140 | Missed tail call",
        "141 | Error writing to packet",
        "142 | Unknown L4 protocol",
        "143 | Unknown ICMPv4 code",
        "144 | Unknown ICMPv4 type",
        "145 | Unknown ICMPv6 code",
        "146 | Unknown ICMPv6 type",
        "147 | Error retrieving tunnel key",
        "150 | Unknown L3 target address",
        "151 | Stale or unroutable IP",
        "153 | Error while correcting L3 checksum",
        "154 | Error while correcting L4 checksum",
        "155 | CT: Map insertion failed",
        "156 | Invalid IPv6 extension header",
        "157 | IP fragmentation not supported",
        "158 | Service backend not found",
        "160 | No tunnel/encapsulation endpoint (datapath BUG!)",
        "161 | NAT 46/64 not enabled",
        "162 | Reached EDT rate-limiting drop horizon",
        "163 | Unknown connection tracking state",
        "164 | Local host is unreachable",
        "165 | No configuration available to perform policy decision",
        "166 | Unsupported L2 protocol",
        "167 | No mapping for NAT masquerade",
        "168 | Unsupported protocol for NAT masquerade",
        "169 | FIB lookup failed",
        "170 | Encapsulation traffic is prohibited",
        "171 | Invalid identity",
        "172 | Unknown sender",
        "173 | NAT not needed",
        "174 | Is a ClusterIP",
        "175 | First logical datagram fragment not found",
        "176 | Forbidden ICMPv6 message",
        "177 | Denied by LB src range check",
        "178 | Socket lookup failed",
        "179 | Socket assign failed",
        "180 | Proxy redirection not supported for protocol",
        "181 | Policy denied by denylist",
        "182 | VLAN traffic disallowed by VLAN filter",
        "183 | Incorrect VNI from VTEP",
        "184 | Failed to update or lookup TC buffer",
        "185 | No SID was found for the IP address",
        "186 | SRv6 state was removed during tail call",
        "187 | L3 translation from IPv4 to IPv6 failed (NAT46)",
        "188 | L3 translation from IPv6 to IPv4 failed (NAT64)",
        "189 | Authentication required",
        "190 | No conntrack map found",
        "191 | No nat map found",
        "192 | Invalid ClusterID",
        "193 | Unsupported packet protocol for DSR encapsulation",
        "194 | No egress gateway found",
        "195 | Traffic is unencrypted",
        "196 | TTL exceeded",
        "197 | No node ID found",
        "198 | Rate limited",
        "202 | Host datapath not ready",
        "204 | No Egress IP configured",
      })
  void descriptionsAreCiliums(int code, String description) {
    assertThat(DropReason.describe(code)).isEqualTo(description);
    assertThat(DropReason.of(code))
        .hasValueSatisfying(r -> assertThat(r.description()).isEqualTo(description));
  }

  @Test
  void policyDrops() {
    assertThat(DropReason.POLICY.code()).isEqualTo(133);
    assertThat(DropReason.POLICY.description()).isEqualTo("Policy denied");
    assertThat(DropReason.POLICY_DENY.code()).isEqualTo(181);
    assertThat(DropReason.POLICY_DENY.description()).isEqualTo("Policy denied by denylist");
    assertThat(DropReason.INVALID_SIP.code()).isEqualTo(132);
    assertThat(DropReason.INVALID_SIP.description()).isEqualTo("Invalid source ip");
    assertThat(DropReason.POLICY_AUTH_REQUIRED.code()).isEqualTo(189);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
    "133, POLICY_DENIED",
    "181, POLICY_DENY",
    "189, AUTH_REQUIRED",
    // proto names frozen before the codes were reused
    "136, CT_MISSING_TCP_ACK_FLAG",
    "161, FAILED_TO_INSERT_INTO_PROXYMAP",
    "198, DROP_RATE_LIMITED",
    "202, DROP_HOST_NOT_READY",
  })
  void hubbleNames(int code, String name) {
    assertThat(DropReason.of(code))
        .hasValueSatisfying(r -> assertThat(r.hubbleName()).isEqualTo(name));
  }

  @ParameterizedTest
  @ValueSource(ints = {129, 159, 255, 1000, -133})
  void unknownCodesPrintAsTheirNumber(int code) {
    assertThat(DropReason.of(code)).isEmpty();
    assertThat(DropReason.describe(code)).isEqualTo(Integer.toString(code));
  }
}
