package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.policy.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EndpointSliceResourceTest {
  private static final String HEAD =
      "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
          + "metadata: {name: web-abc, labels: {kubernetes.io/service-name: web}}\n";
  private static final String PREFIX = "es.yaml: document 1 (EndpointSlice default/web-abc): ";

  static List<Resource> parse(String yaml) {
    return ResourceParser.parseAll(ManifestReader.read("es.yaml", yaml));
  }

  static String problem(String yaml) {
    try {
      parse(yaml);
    } catch (ManifestException e) {
      assertThat(e.problems()).hasSize(1);
      return e.problems().get(0);
    }
    throw new AssertionError("no error for:\n" + yaml);
  }

  @Test
  void parsesWithConditionDefaults() {
    EndpointSliceResource s =
        (EndpointSliceResource)
            parse(
                    HEAD
                        + "addressType: IPv6\n"
                        + "endpoints:\n"
                        + "- addresses: ['FD00::1']\n  nodeName: node-1\n  targetRef: {kind: Pod, name: a, namespace: default}\n"
                        + "- addresses: ['fd00::2']\n  conditions: {ready: false, terminating: true}\n"
                        + "ports: [{name: http, port: 8080, appProtocol: http}, {name: dns, port: 53, protocol: UDP}]\n")
                .get(0);
    assertThat(s.displayName()).isEqualTo("EndpointSlice default/web-abc");
    assertThat(s.serviceName()).isEqualTo("web");
    assertThat(s.addressType()).isEqualTo(IpFamily.IPV6);
    assertThat(s.endpoints())
        .containsExactly(
            new EndpointSliceResource.Endpoint(List.of("fd00::1"), true, true, false, "node-1", ""),
            new EndpointSliceResource.Endpoint(List.of("fd00::2"), false, false, true, "", ""));
    assertThat(s.ports())
        .containsExactly(
            new EndpointSliceResource.Port("http", 8080, Protocol.TCP),
            new EndpointSliceResource.Port("dns", 53, Protocol.UDP));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "addressType: FQDN|addressType: \"FQDN\" is not supported (expected: IPv4 or IPv6)",
        "addressType: IPv5|addressType: \"IPv5\" (expected: IPv4 or IPv6)",
        "endpoints: []|addressType: required field is missing",
        "addressType: IPv4;endpoints: [{addresses: []}]|endpoints[0].addresses: 0 addresses (expected: 1-100)",
        "addressType: IPv4;endpoints: [{addresses: ['fd00::1']}]|endpoints[0].addresses[0]: \"fd00::1\" (expected: an IPv4 address, as addressType says)",
        "addressType: IPv4;endpoints: [{addresses: [10.0.0.1]}, {addresses: [10.0.0.2, 10.0.01.3]}]|endpoints[1].addresses[1]: \"10.0.01.3\": an IPv4 octet with a leading zero is ambiguous (expected: an IPv4 or IPv6 address)",
        "addressType: IPv6;endpoints: [{addresses: ['fd00::1', 'fd00::zz']}]|endpoints[0].addresses[1]: \"fd00::zz\" is not an IP address (expected: an IPv4 or IPv6 address)",
        "addressType: IPv4;endpoints: [{addresses: [10.0.0.1], conditions: {ready: 1}}]|endpoints[0].conditions.ready: expected true or false, got 1",
        "addressType: IPv4;endpoints: [{addresses: [10.0.0.1], hints: {}}]|endpoints[0].hints: not supported yet by Jilium",
        "addressType: IPv4;ports: [{name: a, port: 1}, {name: a, port: 2}]|ports[1].name: \"a\" is also the name of ports[0]",
        "addressType: IPv4;ports: [{name: a}]|ports[0].port: required field is missing (Jilium needs a port)",
        "addressType: IPv4;ports: [{port: 1, protocol: icmp}]|ports[0].protocol: \"icmp\" (expected: TCP, UDP or SCTP)",
        "addressType: IPv4;spec: {}|spec: unknown field (expected one of: addressType, apiVersion, endpoints, kind, metadata, ports)",
      })
  void validation(String body, String expected) {
    assertThat(problem(HEAD + body.replace(';', '\n') + "\n")).isEqualTo(PREFIX + expected);
  }

  @Test
  void needsItsServiceNameLabel() {
    assertThat(
            problem(
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4\n"))
        .isEqualTo(
            "es.yaml: document 1 (EndpointSlice default/s): metadata.labels: label"
                + " kubernetes.io/service-name is missing (expected: the name of the Service this"
                + " slice serves)");
  }
}
