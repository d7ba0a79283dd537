package io.jilium.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.core.resource.ManifestReader;
import io.jilium.core.resource.ResourceParser;
import io.jilium.core.resource.ServiceResource;
import org.junit.jupiter.api.Test;

class NodePortAllocatorTest {
  private static ServiceResource service(String name, String spec) {
    String yaml = ServiceManagerTest.service(name, spec);
    return (ServiceResource) ResourceParser.parseAll(ManifestReader.read("t.yaml", yaml)).get(0);
  }

  @Test
  void lowestFreeForPortsWithoutOneRequestedOnesKept() {
    NodePortAllocator a = new NodePortAllocator(30000, 30005);
    assertThat(
            a.allocate(
                service(
                    "a",
                    "type: NodePort\nports: [{name: x, port: 80, nodePort: 30000}, {name: y, port: 81}]")))
        .containsExactly(30000, 30001);
    assertThat(a.allocate(service("b", "type: NodePort\nports: [{port: 80}]")))
        .containsExactly(30002);
    assertThat(a.owner(30002)).contains("shop/b");
  }

  @Test
  void anUpdateKeepsThePortsItHadAndATypeChangeGivesThemBack() {
    NodePortAllocator a = new NodePortAllocator(30000, 30005);
    a.allocate(service("a", "type: NodePort\nports: [{name: x, port: 80}, {name: y, port: 81}]"));
    a.allocate(service("b", "type: NodePort\nports: [{port: 80}]"));
    assertThat(a.allocate(service("a", "type: NodePort\nports: [{name: y, port: 81}]")))
        .containsExactly(30001);
    assertThat(a.owner(30000)).isEmpty();
    assertThat(a.allocate(service("a", "ports: [{name: y, port: 81}]"))).containsExactly(0);
    assertThat(a.allocated()).isEqualTo(1);
  }

  @Test
  void loadBalancerWithoutNodePortsGetsNone() {
    NodePortAllocator a = new NodePortAllocator(30000, 30005);
    assertThat(
            a.allocate(
                service(
                    "lb",
                    "type: LoadBalancer\nallocateLoadBalancerNodePorts: false\nports: [{port: 80}]")))
        .containsExactly(0);
  }

  @Test
  void conflictsRangeAndExhaustionAreRefusedWithoutChange() {
    NodePortAllocator a = new NodePortAllocator(30000, 30001);
    a.allocate(service("a", "type: NodePort\nports: [{port: 80, nodePort: 30000}]"));
    assertThatThrownBy(
            () -> a.allocate(service("b", "type: NodePort\nports: [{port: 80, nodePort: 30000}]")))
        .isInstanceOf(NodePortException.class)
        .hasMessage(
            "Service shop/b: spec.ports[0].nodePort: 30000 is already allocated to Service shop/a");
    assertThatThrownBy(
            () ->
                a.allocate(
                    service(
                        "c", "type: NodePort\nports: [{name: p, port: 80}, {name: q, port: 81}]")))
        .hasMessage(
            "Service shop/c: spec.ports[1]: no free node port in 30000-30001 (1 allocated)");
    assertThat(a.allocated()).isEqualTo(1);
    assertThat(NodePortAllocator.parseRange("30000-32767").max()).isEqualTo(32767);
    assertThatThrownBy(() -> NodePortAllocator.parseRange("30000"))
        .hasMessage("node port range \"30000\" (expected: from-to, e.g. 30000-32767)");
  }
}
