package io.jilium.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.resource.EndpointSliceResource;
import io.jilium.core.resource.ManifestReader;
import io.jilium.core.resource.Resource;
import io.jilium.core.resource.ResourceParser;
import io.jilium.core.resource.ServiceResource;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceWorkloadTest {
  private static ServiceWorkload.Topology topology(int services) {
    return new ServiceWorkload.Topology(
        services,
        3,
        List.of("10.246.0.2", "10.246.0.3", "10.246.0.4"),
        "svcbench",
        80,
        8080,
        "10.202.0.1",
        "10.96.0.1",
        "10.247.0.1",
        "10.246.0.0/16");
  }

  @Test
  void chainNamesAreKubeProxys() {
    // chains every kubeadm cluster has (kubernetes and kube-dns Services)
    assertThat(ServiceWorkload.serviceChain("default/kubernetes:https", "tcp"))
        .isEqualTo("KUBE-SVC-NPX46M4PTMTKRN6Y");
    assertThat(ServiceWorkload.serviceChain("kube-system/kube-dns:dns", "udp"))
        .isEqualTo("KUBE-SVC-TCOU7JCQXEZGVUNU");
    assertThat(ServiceWorkload.serviceChain("kube-system/kube-dns:dns-tcp", "tcp"))
        .isEqualTo("KUBE-SVC-ERIFXISQEP7F7OF4");
    assertThat(ServiceWorkload.probability(3)).isEqualTo("0.3333333333");
    assertThat(ServiceWorkload.probability(2)).isEqualTo("0.5000000000");
  }

  @Test
  void yamlIsAcceptedByJiliumsParser() {
    List<Resource> rs =
        ResourceParser.parseAll(
            ManifestReader.read("services.yaml", ServiceWorkload.yaml(topology(300), 0, 300)));
    assertThat(rs).hasSize(600);
    ServiceResource measured = (ServiceResource) rs.get(0);
    assertThat(measured.name()).isEqualTo("svc-00000");
    assertThat(measured.clusterIps()).containsExactly("10.202.0.1");
    EndpointSliceResource slice = (EndpointSliceResource) rs.get(1);
    assertThat(slice.endpoints()).hasSize(3);
    assertThat(slice.endpoints().get(0).addresses()).containsExactly("10.246.0.2");
    ServiceResource last = (ServiceResource) rs.get(598);
    assertThat(last.clusterIps()).containsExactly("10.202.1.44"); // 10.202.0.1 + 299
    EndpointSliceResource lastSlice = (EndpointSliceResource) rs.get(599);
    // fake endpoints: 3 per service from 10.247.0.1 on, service 1 first
    assertThat(lastSlice.endpoints().get(2).addresses()).containsExactly("10.247.3.129");
  }

  @Test
  void iptablesRulesAreKubeProxysShape() throws IOException {
    StringBuilder small = new StringBuilder();
    ServiceWorkload.writeIptables(topology(3), small);
    String svc = ServiceWorkload.serviceChain("svcbench/svc-00000:http", "tcp");
    String sep = ServiceWorkload.endpointChain("svcbench/svc-00000:http", "tcp", "10.246.0.2:8080");
    assertThat(small.toString())
        .contains(
            "-A KUBE-SERVICES -m comment --comment \"svcbench/svc-00000:http cluster IP\" -m tcp"
                + " -p tcp -d 10.96.0.1 --dport 80 -j "
                + svc
                + "\n")
        .contains(
            "-A "
                + svc
                + " -m comment --comment \"svcbench/svc-00000:http -> 10.246.0.2:8080\" -m"
                + " statistic --mode random --probability 0.3333333333 -j "
                + sep
                + "\n")
        .contains(
            "-A "
                + sep
                + " -m comment --comment svcbench/svc-00000:http -m tcp -p tcp -j DNAT --to-destination 10.246.0.2:8080\n")
        .endsWith("-j KUBE-NODEPORTS\nCOMMIT\n");
    // 1,000 services x 3 endpoints: kube-proxy's large-cluster mode, endpoint comments dropped
    StringBuilder large = new StringBuilder();
    ServiceWorkload.writeIptables(topology(1000), large);
    String text = large.toString();
    assertThat(text).doesNotContain(" -> ");
    assertThat(text.lines().filter(l -> l.startsWith("-A KUBE-SERVICES "))).hasSize(1001);
    assertThat(text.lines().filter(l -> l.contains("-j DNAT"))).hasSize(3000);
    // the measured service sits in the middle of KUBE-SERVICES
    List<String> services = text.lines().filter(l -> l.startsWith("-A KUBE-SERVICES ")).toList();
    assertThat(services.get(499)).contains("svc-00000:http");
  }
}
