package io.jilium.core.service;

import static io.jilium.core.service.Services.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.core.net.Cidr;
import io.jilium.core.resource.IpFamily;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceIpAllocatorTest {
  private static final String PORTS = "ports: [{port: 80}]";

  @Test
  void singleStackTakesTheLowestFreeAddressOfThePrimaryFamily() {
    ServiceIpAllocator a = ServiceIpAllocator.defaults();
    assertThat(a.allocate(service("a", PORTS)).clusterIps()).containsExactly("10.202.0.1");
    assertThat(a.allocate(service("b", PORTS)).clusterIps()).containsExactly("10.202.0.2");
    // Same service again: what it holds.
    assertThat(a.allocate(service("a", PORTS)).clusterIps()).containsExactly("10.202.0.1");
    assertThat(a.release("shop", "a")).isTrue();
    assertThat(a.release("shop", "a")).isFalse();
    assertThat(a.allocation("shop", "a")).isEmpty();
    assertThat(a.allocate(service("c", PORTS)).clusterIps()).containsExactly("10.202.0.1");
    assertThat(a.allocated(IpFamily.IPV4)).isEqualTo(2);
  }

  @Test
  void familiesFollowIpFamiliesAndPolicy() {
    ServiceIpAllocator a = ServiceIpAllocator.defaults();
    var v6 = a.allocate(service("v6", PORTS + "\nipFamilies: [IPv6]"));
    assertThat(v6.families()).containsExactly(IpFamily.IPV6);
    assertThat(v6.clusterIps()).containsExactly("fd00:10:202::1");
    var dual = a.allocate(service("dual", PORTS + "\nipFamilyPolicy: PreferDualStack"));
    assertThat(dual.families()).containsExactly(IpFamily.IPV4, IpFamily.IPV6);
    assertThat(dual.clusterIps()).containsExactly("10.202.0.1", "fd00:10:202::2");
    var v6first =
        a.allocate(
            service("v6first", PORTS + "\nipFamilyPolicy: RequireDualStack\nipFamilies: [IPv6]"));
    assertThat(v6first.families()).containsExactly(IpFamily.IPV6, IpFamily.IPV4);
    assertThat(v6first.clusterIps()).containsExactly("fd00:10:202::3", "10.202.0.2");
    var headless = a.allocate(service("h", "clusterIP: None\nipFamilyPolicy: PreferDualStack"));
    assertThat(headless.families()).containsExactly(IpFamily.IPV4, IpFamily.IPV6);
    assertThat(headless.clusterIps()).isEmpty();
  }

  @Test
  void singleFamilyCluster() {
    ServiceIpAllocator a = new ServiceIpAllocator(List.of(Cidr.parse("10.96.0.0/30")));
    assertThat(a.allocate(service("p", PORTS + "\nipFamilyPolicy: PreferDualStack")).families())
        .containsExactly(IpFamily.IPV4);
    assertThatThrownBy(() -> a.allocate(service("r", PORTS + "\nipFamilyPolicy: RequireDualStack")))
        .isInstanceOf(ServiceIpException.class)
        .hasMessage(
            "Service shop/r: spec.ipFamilyPolicy: RequireDualStack needs an IPv6 service CIDR, and"
                + " none is configured (expected: PreferDualStack or SingleStack, or configure an"
                + " IPv6 service CIDR)");
    assertThatThrownBy(() -> a.allocate(service("s", PORTS + "\nipFamilies: [IPv6]")))
        .hasMessage(
            "Service shop/s: spec.ipFamilies[0]: IPv6 is not configured (no IPv6 service CIDR;"
                + " expected: IPv4)");
    // /30: .1 and .2 usable (network and broadcast excluded); p holds .1.
    assertThat(a.allocate(service("t", PORTS)).clusterIps()).containsExactly("10.96.0.2");
    assertThatThrownBy(() -> a.allocate(service("u", PORTS)))
        .hasMessage(
            "Service shop/u: no free address in the IPv4 service CIDR 10.96.0.0/30 (2 allocated)");
  }

  @Test
  void requestedAddresses() {
    ServiceIpAllocator a = ServiceIpAllocator.defaults();
    assertThat(a.allocate(service("a", PORTS + "\nclusterIP: 10.202.7.7")).clusterIps())
        .containsExactly("10.202.7.7");
    assertThatThrownBy(() -> a.allocate(service("b", PORTS + "\nclusterIP: 10.202.7.7")))
        .hasMessage(
            "Service shop/b: spec.clusterIPs[0]: 10.202.7.7 is already allocated to Service"
                + " shop/a");
    assertThatThrownBy(() -> a.allocate(service("c", PORTS + "\nclusterIP: 10.96.0.1")))
        .hasMessage(
            "Service shop/c: spec.clusterIPs[0]: 10.96.0.1 is outside the IPv4 service CIDR"
                + " 10.202.0.0/16 (expected: an address in 10.202.0.0/16)");
    assertThatThrownBy(() -> a.allocate(service("d", PORTS + "\nclusterIP: 10.202.255.255")))
        .hasMessage(
            "Service shop/d: spec.clusterIPs[0]: 10.202.255.255 is reserved (expected:"
                + " 10.202.0.1-10.202.255.254)");
    // A failed dual-stack request takes nothing.
    assertThatThrownBy(
            () ->
                a.allocate(
                    service(
                        "e",
                        PORTS
                            + "\nipFamilyPolicy: RequireDualStack\nclusterIPs: [10.202.0.9, 'fd00:99::1']")))
        .hasMessageContaining("spec.clusterIPs[1]: fd00:99::1 is outside the IPv6 service CIDR");
    assertThat(a.allocated(IpFamily.IPV4)).isEqualTo(1);
    assertThat(a.allocate(service("f", PORTS + "\nclusterIP: 10.202.0.9")).clusterIps())
        .containsExactly("10.202.0.9");
  }

  @Test
  void updatesKeepThePrimaryAndMayChangeTheSecondary() {
    ServiceIpAllocator a = ServiceIpAllocator.defaults();
    a.allocate(service("a", PORTS));
    assertThatThrownBy(() -> a.allocate(service("a", PORTS + "\nclusterIP: 10.202.0.5")))
        .hasMessage(
            "Service shop/a: spec.clusterIPs[0]: 10.202.0.5 (expected: 10.202.0.1, a ClusterIP is"
                + " immutable)");
    var up = a.allocate(service("a", PORTS + "\nipFamilyPolicy: PreferDualStack"));
    assertThat(up.clusterIps()).containsExactly("10.202.0.1", "fd00:10:202::1");
    var down = a.allocate(service("a", PORTS + "\nipFamilyPolicy: SingleStack"));
    assertThat(down.clusterIps()).containsExactly("10.202.0.1");
    assertThat(a.allocated(IpFamily.IPV6)).isZero();
    assertThatThrownBy(() -> a.allocate(service("a", PORTS + "\nipFamilies: [IPv6]")))
        .hasMessage(
            "Service shop/a: spec.ipFamilies[0]: IPv6 (expected: IPv4, the primary family is"
                + " immutable)");
  }

  @Test
  void invalidConfiguration() {
    assertThatThrownBy(
            () ->
                new ServiceIpAllocator(
                    List.of(Cidr.parse("10.0.0.0/24"), Cidr.parse("10.1.0.0/24"))))
        .hasMessage(
            "service CIDRs: [10.0.0.0/24, 10.1.0.0/24] has two IPv4 CIDRs (expected: one per IP"
                + " family)");
    assertThatThrownBy(() -> new ServiceIpAllocator(List.of(Cidr.parse("10.0.0.0/31"))))
        .hasMessage("service CIDR 10.0.0.0/31 is too small: it leaves no address for Services");
  }
}
