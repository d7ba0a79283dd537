package io.jilium.bpf.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NodeDevicesTest {
  private static final Link LO = link(1, "lo", MacAddress.parse("00:00:00:00:00:00"));
  private static final Link ETH0 = link(2, "eth0", MacAddress.parse("02:00:00:00:00:02"));
  private static final Link ETH1 = link(3, "eth1", MacAddress.parse("02:00:00:00:00:03"));
  private static final Link ENS5 = link(4, "ens5", MacAddress.parse("02:00:00:00:00:04"));
  private static final Link WG0 = link(5, "wg0", null);
  private static final List<Link> LINKS = List.of(LO, ETH0, ETH1, ENS5, WG0);

  @Test
  void withoutEntriesTheDevicesOfDefaultRoutesOfEitherFamily() throws Exception {
    List<Route> routes =
        List.of(
            Route.via(IpPrefix.defaultV4(), InetAddress.getByName("10.0.0.1"), 2),
            Route.link(IpPrefix.parse("10.1.0.0/16"), 3),
            Route.via(IpPrefix.defaultV6(), InetAddress.getByName("fe80::1"), 4));

    assertThat(NodeDevices.select(List.of(), LINKS, routes).devices()).containsExactly(ETH0, ENS5);
  }

  @Test
  void exactNamesAndCiliumStylePrefixes() {
    assertThat(NodeDevices.select(List.of("eth+"), LINKS, List.of()).devices())
        .containsExactly(ETH0, ETH1);
    assertThat(NodeDevices.select(List.of("ens5", "eth1"), LINKS, List.of()).devices())
        .containsExactly(ETH1, ENS5);
    assertThat(NodeDevices.select(List.of("eth"), LINKS, List.of()).devices()).isEmpty();
    assertThat(NodeDevices.matches("eth+", "eth0")).isTrue();
    assertThat(NodeDevices.matches("eth+", "veth0")).isFalse();
  }

  @Test
  void loopbackAndDevicesWithoutEthernetAddressAreIgnoredWithAReason() {
    NodeDevices.Selection s = NodeDevices.select(List.of("+"), LINKS, List.of());

    assertThat(s.devices()).containsExactly(ETH0, ETH1, ENS5);
    assertThat(s.ignored()).containsOnlyKeys("lo", "wg0");
    assertThat(s.ignored().get("wg0")).contains("Ethernet");
  }

  @Test
  void entriesAreCheckedBeforeUse() {
    assertThat(NodeDevices.parse(List.of(" eth0", "ens+", ""))).containsExactly("eth0", "ens+");
    for (String bad : List.of("e+th", "a-name-too-long-0", "eth0/1")) {
      assertThatThrownBy(() -> NodeDevices.parse(List.of(bad)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(bad)
          .hasMessageContaining("expected");
    }
  }

  private static Link link(int index, String name, MacAddress mac) {
    return new Link(index, name, Optional.ofNullable(mac), 1500, Link.IFF_UP, Optional.empty(), 0);
  }
}
