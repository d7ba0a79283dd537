package io.jilium.core.resource;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.ServiceResource.IpFamilyPolicy;
import io.jilium.core.resource.ServiceResource.SessionAffinity;
import io.jilium.core.resource.ServiceResource.TargetPort;
import io.jilium.core.resource.ServiceResource.TrafficPolicy;
import io.jilium.core.resource.ServiceResource.Type;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServiceResourceTest {
  private static final String PREFIX = "svc.yaml: document 1 (Service default/web): ";

  static List<Resource> parse(String yaml) {
    return ResourceParser.parseAll(ManifestReader.read("svc.yaml", yaml));
  }

  static String svc(String spec) {
    return "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  "
        + spec.replace("\n", "\n  ")
        + "\n";
  }

  static ServiceResource service(String spec) {
    return (ServiceResource) parse(svc(spec)).get(0);
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
  void minimalClusterIpServiceGetsKubernetesDefaults() {
    ServiceResource s = service("selector: {app: web}\nports: [{port: 80}]");
    assertThat(s.namespace()).isEqualTo("default");
    assertThat(s.displayName()).isEqualTo("Service default/web");
    assertThat(s.type()).isEqualTo(Type.CLUSTER_IP);
    assertThat(s.headless()).isFalse();
    assertThat(s.clusterIps()).isEmpty();
    assertThat(s.ipFamilyPolicy()).isEmpty();
    assertThat(s.ports())
        .containsExactly(new ServiceResource.Port("", Protocol.TCP, 80, TargetPort.number(80), 0));
    assertThat(s.selector()).containsExactly(Map.entry("app", "web"));
    assertThat(s.sessionAffinity()).isEqualTo(SessionAffinity.NONE);
    assertThat(s.sessionAffinityTimeoutSeconds()).isZero();
    assertThat(s.externalTrafficPolicy()).isEqualTo(TrafficPolicy.CLUSTER);
    assertThat(s.internalTrafficPolicy()).isEqualTo(TrafficPolicy.CLUSTER);
    assertThat(s.allocateLoadBalancerNodePorts()).isFalse();
  }

  @Test
  void fullLoadBalancerService() {
    String yaml =
        "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: shop, labels: {a: b}}\n"
            + "spec:\n"
            + "  type: LoadBalancer\n"
            + "  clusterIP: 10.202.0.10\n"
            + "  clusterIPs: [10.202.0.10, 'fd00:10:202::a']\n"
            + "  ipFamilies: [IPv4, IPv6]\n"
            + "  ipFamilyPolicy: RequireDualStack\n"
            + "  selector: {app: shop}\n"
            + "  ports:\n"
            + "  - {name: http, port: 80, targetPort: web, nodePort: 30080}\n"
            + "  - {name: dns, protocol: UDP, port: 53, targetPort: 5353, appProtocol: dns}\n"
            + "  sessionAffinity: ClientIP\n"
            + "  sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n"
            + "  externalIPs: [192.0.2.10]\n"
            + "  loadBalancerIP: 198.51.100.7\n"
            + "  externalTrafficPolicy: Local\n"
            + "  internalTrafficPolicy: Local\n"
            + "status: {loadBalancer: {ingress: [{ip: 198.51.100.7, ipMode: VIP}]}}\n";
    ServiceResource s = (ServiceResource) parse(yaml).get(0);
    assertThat(s.type()).isEqualTo(Type.LOAD_BALANCER);
    assertThat(s.clusterIps()).containsExactly("10.202.0.10", "fd00:10:202::a");
    assertThat(s.ipFamilies()).containsExactly(IpFamily.IPV4, IpFamily.IPV6);
    assertThat(s.ipFamilyPolicy()).contains(IpFamilyPolicy.REQUIRE_DUAL_STACK);
    assertThat(s.ports())
        .containsExactly(
            new ServiceResource.Port("http", Protocol.TCP, 80, TargetPort.named("web"), 30080),
            new ServiceResource.Port("dns", Protocol.UDP, 53, TargetPort.number(5353), 0));
    assertThat(s.sessionAffinity()).isEqualTo(SessionAffinity.CLIENT_IP);
    assertThat(s.sessionAffinityTimeoutSeconds()).isEqualTo(60);
    assertThat(s.externalIps()).containsExactly("192.0.2.10");
    assertThat(s.loadBalancerIp()).isEqualTo("198.51.100.7");
    assertThat(s.loadBalancerIngress()).containsExactly("198.51.100.7");
    assertThat(s.externalTrafficPolicy()).isEqualTo(TrafficPolicy.LOCAL);
    assertThat(s.internalTrafficPolicy()).isEqualTo(TrafficPolicy.LOCAL);
    assertThat(s.allocateLoadBalancerNodePorts()).isTrue();
    assertThat(s.labels()).containsExactly(Map.entry("a", "b"));
  }

  @Test
  void headlessAndClientIpDefaultTimeout() {
    ServiceResource h = service("clusterIP: None\nselector: {app: db}");
    assertThat(h.headless()).isTrue();
    assertThat(h.clusterIps()).isEmpty();
    assertThat(h.ports()).isEmpty();
    ServiceResource a = service("ports: [{port: 80}]\nsessionAffinity: ClientIP");
    assertThat(a.sessionAffinityTimeoutSeconds()).isEqualTo(10800);
    assertThat(service("ports: [{port: 80}]\nclusterIPs: ['FD00::0001']").clusterIps())
        .containsExactly("fd00::1");
    assertThat(service("ports: [{port: 80}]\nipFamilyPolicy: PreferDualStack").ipFamilyPolicy())
        .isEqualTo(Optional.of(IpFamilyPolicy.PREFER_DUAL_STACK));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "type: ExternalName\nexternalName: example.com",
            "spec.type: \"ExternalName\" is not supported (it is DNS-only: use a DNS CNAME, or a"
                + " Service without selector and an EndpointSlice)"),
        Arguments.of(
            "type: Foo\nports: [{port: 80}]",
            "spec.type: \"Foo\" (expected: ClusterIP, NodePort or LoadBalancer)"),
        Arguments.of(
            "ports: []",
            "spec.ports: required: at least one port (only a headless Service may have none)"),
        Arguments.of(
            "ports: [{port: 80}, {name: b, port: 81}]",
            "spec.ports[0].name: required when the Service has more than one port"),
        Arguments.of(
            "ports: [{name: a, port: 80}, {name: a, port: 81}]",
            "spec.ports[1].name: \"a\" is also the name of spec.ports[0]"),
        Arguments.of(
            "ports: [{name: Http, port: 80}]",
            "spec.ports[0].name: \"Http\" (expected: a DNS-1123 label: at most 63 lowercase letters,"
                + " digits or '-', starting and ending with a letter or digit)"),
        Arguments.of(
            "ports: [{name: a, port: 80}, {name: b, port: 80}]",
            "spec.ports[1].port: duplicate port 80/TCP (also spec.ports[0])"),
        Arguments.of("ports: [{port: 0}]", "spec.ports[0].port: 0 (expected: 1-65535)"),
        Arguments.of("ports: [{targetPort: 80}]", "spec.ports[0].port: required field is missing"),
        Arguments.of(
            "ports: [{port: 80, protocol: ICMP}]",
            "spec.ports[0].protocol: \"ICMP\" (expected: TCP, UDP or SCTP)"),
        Arguments.of(
            "ports: [{port: 80, targetPort: '8080'}]",
            "spec.ports[0].targetPort: \"8080\": must contain at least one letter; write a port"
                + " number without quotes (expected: 1-65535 or a port name: at most 15 lowercase"
                + " letters, digits and '-', with a letter, no '-' at either end and no \"--\")"),
        Arguments.of(
            "ports: [{port: 80, targetPort: 70000}]",
            "spec.ports[0].targetPort: 70000 (expected: 1-65535 or a port name)"),
        Arguments.of(
            "ports: [{port: 80, nodePort: 30080}]",
            "spec.ports[0].nodePort: may not be used when type is ClusterIP (expected: NodePort or"
                + " LoadBalancer)"),
        Arguments.of(
            "type: NodePort\nports: [{port: 80, nodePort: 8080}]",
            "spec.ports[0].nodePort: 8080 (expected: 30000-32767, the node port range)"),
        Arguments.of(
            "type: NodePort\nports: [{name: a, port: 80, nodePort: 30000}, {name: b, port: 81, nodePort: 30000}]",
            "spec.ports[1].nodePort: duplicate node port 30000/TCP (also spec.ports[0])"),
        Arguments.of(
            "ports: [{port: 80, foo: 1}]",
            "spec.ports[0].foo: unknown field (expected one of: appProtocol, name, nodePort, port, protocol, targetPort)"),
        Arguments.of(
            "type: NodePort\nclusterIP: None\nports: [{port: 80}]",
            "spec.clusterIP: may not be \"None\" for a NodePort Service"),
        Arguments.of(
            "clusterIPs: [None, 10.0.0.1]\nports: [{port: 80}]",
            "spec.clusterIPs[0]: \"None\" must be the only entry (expected: \"None\" alone for a"
                + " headless Service)"),
        Arguments.of(
            "clusterIP: 10.0.0.1\nclusterIPs: [10.0.0.2]\nports: [{port: 80}]",
            "spec.clusterIPs[0]: \"10.0.0.2\" (expected: the same as spec.clusterIP \"10.0.0.1\")"),
        Arguments.of(
            "clusterIP: 10.0.0.300\nports: [{port: 80}]",
            "spec.clusterIP: \"10.0.0.300\" is not an IP address (expected: an IPv4 or IPv6 address)"),
        Arguments.of(
            "clusterIP: 10.0.0.01\nports: [{port: 80}]",
            "spec.clusterIP: \"10.0.0.01\": an IPv4 octet with a leading zero is ambiguous"
                + " (expected: an IPv4 or IPv6 address)"),
        Arguments.of(
            "clusterIPs: [10.0.0.1, 10.0.0.2]\nipFamilyPolicy: PreferDualStack\nports: [{port: 80}]",
            "spec.clusterIPs[1]: \"10.0.0.2\" is of the same family as the first (expected: one"
                + " IPv4 and one IPv6 address)"),
        Arguments.of(
            "clusterIPs: [10.0.0.1, 'fd00::1']\nports: [{port: 80}]",
            "spec.ipFamilyPolicy: unset (SingleStack) with two clusterIPs (expected:"
                + " PreferDualStack or RequireDualStack)"),
        Arguments.of(
            "ipFamilies: [IPv4, IPv6]\nipFamilyPolicy: SingleStack\nports: [{port: 80}]",
            "spec.ipFamilyPolicy: SingleStack with two ipFamilies (expected: PreferDualStack or"
                + " RequireDualStack)"),
        Arguments.of(
            "ipFamilies: [IPv5]\nports: [{port: 80}]",
            "spec.ipFamilies[0]: \"IPv5\" (expected: IPv4 or IPv6)"),
        Arguments.of(
            "ipFamilies: [IPv4, IPv4]\nipFamilyPolicy: PreferDualStack\nports: [{port: 80}]",
            "spec.ipFamilies[1]: \"IPv4\" is listed twice"),
        Arguments.of(
            "clusterIP: 10.0.0.1\nipFamilies: [IPv6]\nports: [{port: 80}]",
            "spec.ipFamilies[0]: \"IPv6\" does not match clusterIPs[0] 10.0.0.1 (expected: IPv4)"),
        Arguments.of(
            "ipFamilyPolicy: DualStack\nports: [{port: 80}]",
            "spec.ipFamilyPolicy: \"DualStack\" (expected: SingleStack, PreferDualStack or"
                + " RequireDualStack)"),
        Arguments.of(
            "ports: [{port: 80}]\nsessionAffinityConfig: {clientIP: {timeoutSeconds: 5}}",
            "spec.sessionAffinityConfig: must not be set when sessionAffinity is None (expected:"
                + " sessionAffinity: ClientIP)"),
        Arguments.of(
            "ports: [{port: 80}]\nsessionAffinity: ClientIP\nsessionAffinityConfig: {clientIP: {timeoutSeconds: 86401}}",
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds: 86401 (expected: 1-86400 seconds)"),
        Arguments.of(
            "ports: [{port: 80}]\nsessionAffinity: Cookie",
            "spec.sessionAffinity: \"Cookie\" (expected: None or ClientIP)"),
        Arguments.of(
            "ports: [{port: 80}]\nexternalIPs: [127.0.0.1]",
            "spec.externalIPs[0]: \"127.0.0.1\" is a loopback address (expected: a routable"
                + " unicast address)"),
        Arguments.of(
            "ports: [{port: 80}]\nloadBalancerIP: 1.2.3.4",
            "spec.loadBalancerIP: may only be used when type is LoadBalancer (type is ClusterIP)"),
        Arguments.of(
            "ports: [{port: 80}]\nexternalTrafficPolicy: Local",
            "spec.externalTrafficPolicy: may only be set for externally reachable Services (type"
                + " NodePort or LoadBalancer, or with externalIPs)"),
        Arguments.of(
            "type: NodePort\nports: [{port: 80}]\nexternalTrafficPolicy: Nearest",
            "spec.externalTrafficPolicy: \"Nearest\" (expected: Cluster or Local)"),
        Arguments.of(
            "ports: [{port: 80}]\ninternalTrafficPolicy: Remote",
            "spec.internalTrafficPolicy: \"Remote\" (expected: Cluster or Local)"),
        Arguments.of(
            "type: LoadBalancer\nports: [{port: 80}]\nloadBalancerSourceRanges: [10.0.0.0/8]",
            "spec.loadBalancerSourceRanges: not supported yet by Jilium"),
        Arguments.of(
            "ports: [{port: 80}]\nselector: {'-bad': x}",
            "spec.selector.-bad: invalid label key: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"),
        Arguments.of(
            "ports: [{port: 80}]\nclusterIp: 10.0.0.1",
            "spec.clusterIp: unknown field (expected one of: allocateLoadBalancerNodePorts, clusterIP, clusterIPs, externalIPs, externalName, externalTrafficPolicy, healthCheckNodePort, internalTrafficPolicy, ipFamilies, ipFamilyPolicy, loadBalancerClass, loadBalancerIP, loadBalancerSourceRanges, ports, publishNotReadyAddresses, selector, sessionAffinity, sessionAffinityConfig, trafficDistribution, type)"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void kubernetesValidation(String spec, String expected) {
    assertThat(problem(svc(spec))).isEqualTo(PREFIX + expected);
  }

  @Test
  void metadataAndStatus() {
    assertThat(
            problem(
                "apiVersion: v1\nkind: Service\nmetadata: {name: 1web}\nspec: {ports: [{port: 80}]}\n"))
        .isEqualTo(
            "svc.yaml: document 1 (Service default/1web): metadata.name: \"1web\" (expected: a"
                + " DNS-1035 label: at most 63 lowercase letters, digits or '-', starting with a"
                + " letter and ending with a letter or digit)");
    assertThat(
            problem(
                "apiVersion: v2\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"))
        .isEqualTo(PREFIX + "apiVersion: \"v2\" (expected: v1)");
    assertThat(
            problem(
                svc("type: LoadBalancer\nports: [{port: 80}]")
                    + "status: {loadBalancer: {ingress: [{hostname: lb.example.com}]}}\n"))
        .isEqualTo(
            PREFIX
                + "status.loadBalancer.ingress[0].hostname: not supported yet by Jilium (expected: ip)");
  }
}
