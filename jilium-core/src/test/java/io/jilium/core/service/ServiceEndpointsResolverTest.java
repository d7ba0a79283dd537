package io.jilium.core.service;

import static io.jilium.core.service.Services.service;
import static io.jilium.core.service.Services.slice;
import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.IpFamily;
import io.jilium.core.resource.ServiceResource;
import io.jilium.core.service.ServiceEndpointsResolver.Backend;
import io.jilium.core.service.ServiceEndpointsResolver.BackendState;
import io.jilium.core.service.ServiceEndpointsResolver.ContainerPort;
import io.jilium.core.service.ServiceEndpointsResolver.Pod;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceEndpointsResolverTest {
  private static final List<IpFamily> V4 = List.of(IpFamily.IPV4);
  private static final ServiceResource WEB =
      service(
          "web",
          "selector: {app: web}\nports:\n- {name: http, port: 80, targetPort: http}\n"
              + "- {name: dns, port: 53, protocol: UDP, targetPort: dns}\n"
              + "- {name: admin, port: 9000, targetPort: 9001}");

  static Pod pod(
      String name, String ip, boolean ready, boolean terminating, ContainerPort... ports) {
    return new Pod(
        "shop", name, Map.of("app", "web"), List.of(ip), List.of(ports), ready, terminating, false);
  }

  static ContainerPort tcp(String name, int port) {
    return new ContainerPort(name, port, Protocol.TCP);
  }

  @Test
  void namedTargetPortsResolvePerPodByNameAndProtocol() {
    List<Backend> b =
        ServiceEndpointsResolver.resolve(
            WEB,
            V4,
            List.of(
                pod(
                    "a",
                    "10.0.0.1",
                    true,
                    false,
                    tcp("http", 8080),
                    new ContainerPort("dns", 5353, Protocol.UDP)),
                pod("b", "10.0.0.2", true, false, tcp("http", 8081), tcp("dns", 5353))));
    assertThat(b)
        .containsExactly(
            new Backend(
                "admin",
                Protocol.TCP,
                IpFamily.IPV4,
                "10.0.0.1",
                9001,
                BackendState.ACTIVE,
                "shop/a",
                true),
            new Backend(
                "admin",
                Protocol.TCP,
                IpFamily.IPV4,
                "10.0.0.2",
                9001,
                BackendState.ACTIVE,
                "shop/b",
                true),
            // b declares dns only over TCP: no UDP dns backend on b.
            new Backend(
                "dns",
                Protocol.UDP,
                IpFamily.IPV4,
                "10.0.0.1",
                5353,
                BackendState.ACTIVE,
                "shop/a",
                true),
            new Backend(
                "http",
                Protocol.TCP,
                IpFamily.IPV4,
                "10.0.0.1",
                8080,
                BackendState.ACTIVE,
                "shop/a",
                true),
            new Backend(
                "http",
                Protocol.TCP,
                IpFamily.IPV4,
                "10.0.0.2",
                8081,
                BackendState.ACTIVE,
                "shop/b",
                true));
  }

  @Test
  void conditionsAsTheEndpointSliceControllerSetsThem() {
    ServiceResource s = service("s", "selector: {app: web}\nports: [{port: 80}]");
    List<Pod> pods =
        List.of(
            pod("ready", "10.0.0.1", true, false),
            pod("unready", "10.0.0.2", false, false),
            pod("draining", "10.0.0.3", true, true),
            pod("gone", "10.0.0.4", false, true),
            new Pod(
                "shop",
                "done",
                Map.of("app", "web"),
                List.of("10.0.0.5"),
                List.of(),
                true,
                false,
                true),
            new Pod(
                "shop",
                "other",
                Map.of("app", "db"),
                List.of("10.0.0.6"),
                List.of(),
                true,
                false,
                false),
            new Pod(
                "elsewhere",
                "x",
                Map.of("app", "web"),
                List.of("10.0.0.7"),
                List.of(),
                true,
                false,
                false),
            new Pod(
                "shop", "noip", Map.of("app", "web"), List.of(), List.of(), true, false, false));
    assertThat(ServiceEndpointsResolver.resolve(s, V4, pods))
        .extracting(Backend::address, Backend::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("10.0.0.1", BackendState.ACTIVE),
            org.assertj.core.groups.Tuple.tuple("10.0.0.3", BackendState.TERMINATING));
    ServiceResource publish =
        service("p", "selector: {app: web}\nports: [{port: 80}]\npublishNotReadyAddresses: true");
    assertThat(ServiceEndpointsResolver.resolve(publish, V4, pods))
        .extracting(Backend::address)
        .containsExactly("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4");
  }

  @Test
  void familiesPickThePodAddressOfEachFamily() {
    ServiceResource s = service("s", "selector: {app: web}\nports: [{port: 80}]");
    Pod dual =
        new Pod(
            "shop",
            "d",
            Map.of("app", "web"),
            List.of("fd00::1", "10.0.0.1", "10.0.0.9"),
            List.of(),
            true,
            false,
            false);
    assertThat(
            ServiceEndpointsResolver.resolve(
                s, List.of(IpFamily.IPV6, IpFamily.IPV4), List.of(dual)))
        .extracting(Backend::address)
        .containsExactly("10.0.0.1", "fd00::1");
    assertThat(ServiceEndpointsResolver.resolve(s, List.of(IpFamily.IPV6), List.of(dual)))
        .extracting(Backend::address)
        .containsExactly("fd00::1");
  }

  @Test
  void noSelectorMeansNoPodBackends() {
    ServiceResource s = service("ext", "ports: [{port: 80}]");
    assertThat(ServiceEndpointsResolver.resolve(s, V4, List.of(pod("a", "10.0.0.1", true, false))))
        .isEmpty();
  }

  @Test
  void backendsFromEndpointSlices() {
    ServiceResource s =
        service("ext", "ports: [{name: http, port: 80}, {name: udp, port: 80, protocol: UDP}]");
    var slice =
        slice(
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
                + "metadata: {name: ext-1, namespace: shop, labels: {kubernetes.io/service-name: ext}}\n"
                + "addressType: IPv4\n"
                + "endpoints:\n"
                + "- addresses: [192.0.2.1, 192.0.2.2]\n"
                + "- addresses: [192.0.2.3]\n  conditions: {ready: false, serving: true, terminating: true}\n"
                + "- addresses: [192.0.2.4]\n  conditions: {ready: false}\n"
                + "ports: [{name: http, port: 8080}, {name: udp, port: 8080, protocol: TCP}]\n");
    var otherService =
        slice(
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
                + "metadata: {name: x-1, namespace: shop, labels: {kubernetes.io/service-name: x}}\n"
                + "addressType: IPv4\nendpoints: [{addresses: [192.0.2.9]}]\nports: [{name: http, port: 1}]\n");
    assertThat(ServiceEndpointsResolver.fromSlices(s, List.of(slice, otherService), "node-1"))
        .extracting(Backend::servicePort, Backend::address, Backend::port, Backend::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("http", "192.0.2.1", 8080, BackendState.ACTIVE),
            org.assertj.core.groups.Tuple.tuple("http", "192.0.2.2", 8080, BackendState.ACTIVE),
            org.assertj.core.groups.Tuple.tuple(
                "http", "192.0.2.3", 8080, BackendState.TERMINATING));
  }
}
