package io.jilium.agent.observer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.BoolValue;
import io.jilium.api.flow.CiliumEventType;
import io.jilium.api.flow.DNS;
import io.jilium.api.flow.DropReason;
import io.jilium.api.flow.Endpoint;
import io.jilium.api.flow.EventTypeFilter;
import io.jilium.api.flow.Flow;
import io.jilium.api.flow.FlowFilter;
import io.jilium.api.flow.HTTP;
import io.jilium.api.flow.HTTPHeader;
import io.jilium.api.flow.ICMPv4;
import io.jilium.api.flow.ICMPv6;
import io.jilium.api.flow.IP;
import io.jilium.api.flow.IPVersion;
import io.jilium.api.flow.Layer4;
import io.jilium.api.flow.Layer7;
import io.jilium.api.flow.NetworkInterface;
import io.jilium.api.flow.SCTP;
import io.jilium.api.flow.Service;
import io.jilium.api.flow.TCP;
import io.jilium.api.flow.TCPFlags;
import io.jilium.api.flow.TrafficDirection;
import io.jilium.api.flow.UDP;
import io.jilium.api.flow.Verdict;
import io.jilium.api.flow.Workload;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Hubble's filter semantics, field by field, on hand-built flows. */
class FlowFiltersTest {
  // --- building flows and filters ---------------------------------------------------------

  private static Flow flow(UnaryOperator<Flow.Builder> f) {
    return f.apply(Flow.newBuilder()).build();
  }

  private static FlowFilter filter(UnaryOperator<FlowFilter.Builder> f) {
    return f.apply(FlowFilter.newBuilder()).build();
  }

  private static Predicate<Flow> allow(FlowFilter... filters) {
    return FlowFilters.compile(List.of(filters), List.of());
  }

  private static Endpoint pod(String ns, String name, String... labels) {
    return Endpoint.newBuilder()
        .setNamespace(ns)
        .setPodName(name)
        .addAllLabels(List.of(labels))
        .build();
  }

  private static Endpoint labels(String... labels) {
    return Endpoint.newBuilder().addAllLabels(List.of(labels)).build();
  }

  private static Flow.Builder ips(Flow.Builder b, String src, String dst) {
    return b.setIP(IP.newBuilder().setSource(src).setDestination(dst));
  }

  private static Layer4 tcp(int sport, int dport, TCPFlags flags) {
    return Layer4.newBuilder()
        .setTCP(TCP.newBuilder().setSourcePort(sport).setDestinationPort(dport).setFlags(flags))
        .build();
  }

  private static Layer4 tcp(int sport, int dport) {
    return Layer4.newBuilder()
        .setTCP(TCP.newBuilder().setSourcePort(sport).setDestinationPort(dport))
        .build();
  }

  private static Layer4 udp(int sport, int dport) {
    return Layer4.newBuilder()
        .setUDP(UDP.newBuilder().setSourcePort(sport).setDestinationPort(dport))
        .build();
  }

  private static TCPFlags flags(String... names) {
    TCPFlags.Builder b = TCPFlags.newBuilder();
    for (String n : names) {
      switch (n) {
        case "SYN" -> b.setSYN(true);
        case "ACK" -> b.setACK(true);
        case "FIN" -> b.setFIN(true);
        case "RST" -> b.setRST(true);
        case "PSH" -> b.setPSH(true);
        default -> throw new IllegalArgumentException(n);
      }
    }
    return b.build();
  }

  private static Flow http(String method, String url, int code) {
    return flow(
        b ->
            b.setL7(
                Layer7.newBuilder()
                    .setHttp(HTTP.newBuilder().setMethod(method).setUrl(url).setCode(code))));
  }

  private static EventTypeFilter type(int type) {
    return EventTypeFilter.newBuilder().setType(type).build();
  }

  private static EventTypeFilter type(int type, int subType) {
    return EventTypeFilter.newBuilder()
        .setType(type)
        .setMatchSubType(true)
        .setSubType(subType)
        .build();
  }

  private static Flow event(int type, int subType) {
    return flow(
        b -> b.setEventType(CiliumEventType.newBuilder().setType(type).setSubType(subType)));
  }

  // --- combination rules ------------------------------------------------------------------

  @Nested
  class Combination {
    private final Flow forwardedXwing =
        flow(b -> b.setSource(pod("default", "xwing")).setVerdict(Verdict.FORWARDED));
    private final Flow droppedXwing =
        flow(b -> b.setSource(pod("default", "xwing")).setVerdict(Verdict.DROPPED));
    private final Flow droppedTie =
        flow(b -> b.setSource(pod("default", "tiefighter")).setVerdict(Verdict.DROPPED));

    @Test
    void noFiltersPassEverything() {
      Predicate<Flow> p = FlowFilters.compile(List.of(), List.of());
      assertThat(p).accepts(forwardedXwing, droppedTie, Flow.getDefaultInstance());
    }

    @Test
    void emptyFilterInTheWhitelistMatchesEveryFlow() {
      assertThat(allow(FlowFilter.getDefaultInstance()))
          .accepts(droppedTie, Flow.getDefaultInstance());
    }

    @Test
    void whitelistFiltersAreAlternatives() {
      Predicate<Flow> p =
          allow(filter(f -> f.addSourcePod("xwing")), filter(f -> f.addVerdict(Verdict.DROPPED)));
      assertThat(p).accepts(forwardedXwing, droppedXwing, droppedTie);
      assertThat(p)
          .rejects(flow(b -> b.setSource(pod("default", "x")).setVerdict(Verdict.FORWARDED)));
    }

    @Test
    void fieldsOfOneFilterMustAllMatch() {
      Predicate<Flow> p = allow(filter(f -> f.addSourcePod("xwing").addVerdict(Verdict.DROPPED)));
      assertThat(p).accepts(droppedXwing).rejects(forwardedXwing, droppedTie);
    }

    @Test
    void valuesOfOneFieldAreAlternatives() {
      Predicate<Flow> p =
          allow(filter(f -> f.addVerdict(Verdict.FORWARDED).addVerdict(Verdict.DROPPED)));
      assertThat(p).accepts(forwardedXwing, droppedTie);
      assertThat(p).rejects(flow(b -> b.setVerdict(Verdict.AUDIT)));
    }

    @Test
    void blacklistRemovesWhatAnyOfItsFiltersMatches() {
      Predicate<Flow> p =
          FlowFilters.compile(
              List.of(),
              List.of(
                  filter(f -> f.addSourcePod("tiefighter")),
                  filter(f -> f.addVerdict(Verdict.FORWARDED))));
      assertThat(p).accepts(droppedXwing).rejects(forwardedXwing, droppedTie);
    }

    @Test
    void blacklistFilterNeedsAllItsFields() {
      // "--not --from-pod xwing --not --verdict DROPPED" would be two filters; one filter with
      // both fields only removes dropped xwing flows
      Predicate<Flow> p =
          FlowFilters.compile(
              List.of(), List.of(filter(f -> f.addSourcePod("xwing").addVerdict(Verdict.DROPPED))));
      assertThat(p).accepts(forwardedXwing, droppedTie).rejects(droppedXwing);
    }

    @Test
    void blacklistWinsOverWhitelist() {
      Predicate<Flow> p =
          FlowFilters.compile(
              List.of(filter(f -> f.addVerdict(Verdict.DROPPED))),
              List.of(filter(f -> f.addSourcePod("tiefighter"))));
      assertThat(p).accepts(droppedXwing).rejects(droppedTie, forwardedXwing);
    }

    @Test
    void errorsNameListIndexFieldIndexAndValue() {
      assertThatThrownBy(
              () ->
                  FlowFilters.compile(
                      List.of(FlowFilter.getDefaultInstance()),
                      List.of(
                          FlowFilter.getDefaultInstance(),
                          filter(f -> f.addSourcePort("80").addSourcePort("http")))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "blacklist[1].source_port[1] \"http\": invalid port (expected: a number 0-65535)");
    }
  }

  // --- fields -----------------------------------------------------------------------------

  @Test
  void uuid() {
    Predicate<Flow> p = allow(filter(f -> f.addUuid("a").addUuid("b")));
    assertThat(p).accepts(flow(b -> b.setUuid("b"))).rejects(flow(b -> b.setUuid("c")));
    assertThat(p).rejects(Flow.getDefaultInstance());
  }

  @Nested
  class Addresses {
    @Test
    void exactAddresses() {
      Predicate<Flow> p = allow(filter(f -> f.addSourceIp("10.0.0.1").addSourceIp("fd00::1")));
      assertThat(p)
          .accepts(flow(b -> ips(b, "10.0.0.1", "10.0.0.9")), flow(b -> ips(b, "fd00::1", "::1")))
          .rejects(flow(b -> ips(b, "10.0.0.2", "10.0.0.1")), Flow.getDefaultInstance());
    }

    @Test
    void exactIpv6ComparesAddressesNotText() {
      assertThat(allow(filter(f -> f.addDestinationIp("fd00:0:0::0001"))))
          .accepts(flow(b -> ips(b, "10.0.0.1", "fd00::1")));
    }

    @Test
    void cidrs() {
      Predicate<Flow> p =
          allow(filter(f -> f.addDestinationIp("10.1.0.0/16").addDestinationIp("fd00:1::/64")));
      assertThat(p)
          .accepts(
              flow(b -> ips(b, "1.1.1.1", "10.1.255.3")), flow(b -> ips(b, "::1", "fd00:1::42")))
          .rejects(
              flow(b -> ips(b, "10.1.0.1", "10.2.0.1")), flow(b -> ips(b, "::1", "fd00:2::1")));
    }

    @Test
    void cidrWithHostBitsIsItsNetwork() {
      assertThat(allow(filter(f -> f.addSourceIp("10.0.0.7/24"))))
          .accepts(flow(b -> ips(b, "10.0.0.200", "1.1.1.1")));
    }

    @Test
    void translatedSourceAddress() {
      assertThat(allow(filter(f -> f.addSourceIpXlated("192.168.0.0/24"))))
          .accepts(
              flow(
                  b ->
                      b.setIP(
                          IP.newBuilder().setSource("10.0.0.1").setSourceXlated("192.168.0.9"))))
          .rejects(flow(b -> ips(b, "192.168.0.9", "1.1.1.1")));
    }

    @Test
    void invalidAddressAndCidr() {
      assertThatThrownBy(() -> allow(filter(f -> f.addSourceIp("10.0.0.256"))))
          .hasMessageStartingWith("whitelist[0].source_ip[0] \"10.0.0.256\": invalid IP address");
      assertThatThrownBy(() -> allow(filter(f -> f.addDestinationIp("10.0.0.0/33"))))
          .hasMessageStartingWith("whitelist[0].destination_ip[0] \"10.0.0.0/33\": invalid CIDR");
      assertThatThrownBy(() -> allow(filter(f -> f.addDestinationIp("pod-a"))))
          .hasMessageContaining("expected: an address like 10.0.0.1");
    }

    @Test
    void ipVersion() {
      Predicate<Flow> p = allow(filter(f -> f.addIpVersion(IPVersion.IPv6)));
      assertThat(p)
          .accepts(flow(b -> b.setIP(IP.newBuilder().setIpVersion(IPVersion.IPv6))))
          .rejects(
              flow(b -> b.setIP(IP.newBuilder().setIpVersion(IPVersion.IPv4))),
              Flow.getDefaultInstance());
      assertThat(allow(filter(f -> f.addIpVersion(IPVersion.IP_NOT_USED))))
          .accepts(Flow.getDefaultInstance());
    }
  }

  @Nested
  class Pods {
    @Test
    void nameWithoutNamespaceMeansDefaultNamespaceAndIsAPrefix() {
      Predicate<Flow> p = allow(filter(f -> f.addSourcePod("xwing")));
      assertThat(p)
          .accepts(
              flow(b -> b.setSource(pod("default", "xwing"))),
              flow(b -> b.setSource(pod("default", "xwing-t-65b"))))
          .rejects(
              flow(b -> b.setSource(pod("kube-system", "xwing"))),
              flow(b -> b.setSource(pod("default", "x-xwing"))),
              flow(b -> b.setDestination(pod("default", "xwing"))),
              flow(b -> b.setSource(pod("", "xwing"))),
              Flow.getDefaultInstance());
    }

    @Test
    void namespaceAndPrefix() {
      Predicate<Flow> p = allow(filter(f -> f.addDestinationPod("kube-system/coredns-")));
      assertThat(p)
          .accepts(flow(b -> b.setDestination(pod("kube-system", "coredns-12345"))))
          .rejects(
              flow(b -> b.setDestination(pod("kube-system", "-coredns-12345"))),
              flow(b -> b.setDestination(pod("default", "coredns-12345"))));
    }

    @Test
    void namespaceAloneIsEveryPodInIt() {
      Predicate<Flow> p =
          allow(
              filter(f -> f.addSourcePod("kube-system/")),
              filter(f -> f.addDestinationPod("kube-system/")));
      assertThat(p)
          .accepts(
              flow(b -> b.setSource(pod("kube-system", "coredns"))),
              flow(b -> b.setSource(pod("default", "a")).setDestination(pod("kube-system", "b"))))
          .rejects(flow(b -> b.setSource(pod("default", "a")).setDestination(pod("default", "b"))));
    }

    @Test
    void emptyNamespaceMeansAnyNamespace() {
      assertThat(allow(filter(f -> f.addSourcePod("/coredns"))))
          .accepts(
              flow(b -> b.setSource(pod("kube-system", "coredns-1"))),
              flow(b -> b.setSource(pod("default", "coredns"))))
          .rejects(flow(b -> b.setSource(pod("default", "xwing"))));
      assertThat(allow(filter(f -> f.addSourcePod("/"))))
          .accepts(flow(b -> b.setSource(pod("a", "b"))))
          .rejects(Flow.getDefaultInstance());
    }

    @Test
    void sourceAndDestinationTogether() {
      Predicate<Flow> p =
          allow(
              filter(
                  f ->
                      f.addSourcePod("xwing")
                          .addSourcePod("tiefighter")
                          .addDestinationPod("deathstar")));
      assertThat(p)
          .accepts(
              flow(
                  b ->
                      b.setSource(pod("default", "tiefighter"))
                          .setDestination(pod("default", "deathstar"))))
          .rejects(
              flow(
                  b ->
                      b.setSource(pod("default", "deathstar"))
                          .setDestination(pod("default", "xwing"))));
    }

    @Test
    void emptyNameIsInvalid() {
      assertThatThrownBy(() -> allow(filter(f -> f.addDestinationPod(""))))
          .hasMessage(
              "whitelist[0].destination_pod[0] \"\": empty name (expected:"
                  + " [NAMESPACE/][NAME-PREFIX])");
    }

    @Test
    void services() {
      Predicate<Flow> p =
          allow(
              filter(
                  f ->
                      f.addDestinationService("default/")
                          .addDestinationService("kube-system/kube-")));
      assertThat(p)
          .accepts(
              flow(
                  b ->
                      b.setDestinationService(
                          Service.newBuilder().setNamespace("default").setName("x"))),
              flow(
                  b ->
                      b.setDestinationService(
                          Service.newBuilder().setNamespace("kube-system").setName("kube-dns"))))
          .rejects(
              flow(
                  b ->
                      b.setSourceService(
                          Service.newBuilder().setNamespace("default").setName("x"))),
              flow(
                  b ->
                      b.setDestinationService(
                          Service.newBuilder().setNamespace("kube-system").setName("dns"))));
      assertThat(allow(filter(f -> f.addSourceService("deathstar"))))
          .accepts(
              flow(
                  b ->
                      b.setSourceService(
                          Service.newBuilder().setNamespace("default").setName("deathstar"))));
    }
  }

  @Nested
  class Labels {
    private Predicate<Flow> source(String... selectors) {
      return allow(filter(f -> f.addAllSourceLabel(List.of(selectors))));
    }

    private Flow from(String... labels) {
      return flow(b -> b.setSource(labels(labels)));
    }

    @Test
    void keyAloneMeansTheKeyExists() {
      Predicate<Flow> p = source("label1", "label2");
      assertThat(p)
          .accepts(from("label1"), from("label1=val1"), from("label2", "label3", "label4=val4"))
          .rejects(from("label3"), Flow.getDefaultInstance());
    }

    @Test
    void keyEqualsValue() {
      Predicate<Flow> p = source("label1=val1", "label2==val2");
      assertThat(p)
          .accepts(from("label1=val1"), from("label2=val2", "label3"))
          .rejects(
              from("label1"),
              from("label1=val2", "label2=val1", "label3"),
              from("label3=val1"),
              from(""),
              from("label1=val1=toomuch"),
              Flow.getDefaultInstance());
    }

    @Test
    void commaMeansAnd() {
      Predicate<Flow> p = source("src1, src2=val2");
      assertThat(p).accepts(from("src1", "src2=val2")).rejects(from("src1"), from("src2=val2"));
    }

    @Test
    void setOperators() {
      Predicate<Flow> p = source("label1 in (val1, val2), label3 notin ()");
      assertThat(p)
          .accepts(
              from("label1=val1"),
              from("label1=val2", "label2=val1", "label3=val3"),
              from("label1=val1", "label3=val3"))
          .rejects(from("label1"), from("label2=val2", "label3"), from("label1=val1", "label3"));
    }

    @Test
    void notInAndNotEqualsAcceptAbsentKeys() {
      assertThat(source("tier notin (db, cache)"))
          .accepts(from("app=x"), from("tier=web"))
          .rejects(from("tier=db"));
      assertThat(source("tier!=db"))
          .accepts(from("app=x"), from("tier=web"))
          .rejects(from("tier=db"));
    }

    @Test
    void negatedKeyMeansAbsent() {
      assertThat(source("!debug")).accepts(from("app=x")).rejects(from("k8s:debug=true"));
      assertThat(source("app, !debug")).accepts(from("app=x")).rejects(from("app", "debug"));
    }

    @Test
    void numericComparisons() {
      assertThat(source("replicas>2"))
          .accepts(from("replicas=3"))
          .rejects(from("replicas=2"), from("replicas=x"), from("a"));
      assertThat(source("replicas < 2")).accepts(from("replicas=1")).rejects(from("replicas=2"));
    }

    @Test
    void emptySelectorMatchesEverything() {
      assertThat(source("")).accepts(from("a"), Flow.getDefaultInstance());
    }

    @Test
    void sourcePrefixRestrictsTheSource() {
      Predicate<Flow> p = source("k8s:app=bar", "foo", "reserved:host");
      assertThat(p)
          .accepts(
              from("k8s:app=bar"), from("k8s:foo=baz"), from("container:foo=bar", "reserved:host"))
          // a dot is not a source separator in flow labels
          .rejects(from("k8s.app=bar"), from("container:app=bar"));
    }

    @Test
    void anySourceMatchesEverySource() {
      Predicate<Flow> p = source("any:key");
      assertThat(p).accepts(from("key"), from("reserved:key")).rejects(from("any.key"));
    }

    @Test
    void sourcePrefixWorksInEveryOperator() {
      assertThat(source("k8s:app in (a, b), !k8s:debug"))
          .accepts(from("k8s:app=a"), from("k8s:app=b", "container:debug"))
          .rejects(from("container:app=a"), from("k8s:app=a", "k8s:debug"));
      assertThat(source("k8s:io.kubernetes.pod.namespace=kube-system"))
          .accepts(from("k8s:io.kubernetes.pod.namespace=kube-system"));
    }

    @Test
    void qualifiedKeys() {
      assertThat(source("k8s:app.kubernetes.io/name=web"))
          .accepts(from("k8s:app.kubernetes.io/name=web"));
    }

    @Test
    void destinationLabels() {
      Predicate<Flow> p =
          allow(
              filter(
                  f -> f.addSourceLabel("src1, src2=val2").addDestinationLabel("dst1, dst2=val2")));
      assertThat(p)
          .accepts(
              flow(
                  b ->
                      b.setSource(labels("src1", "src2=val2"))
                          .setDestination(labels("dst1", "dst2=val2"))))
          .rejects(
              flow(
                  b ->
                      b.setSource(labels("dst1", "dst2=val2"))
                          .setDestination(labels("src1", "src2=val2"))),
              flow(b -> b.setSource(labels("src1")).setDestination(labels("dst1"))));
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "()",
          "=",
          "any:k8s:bla",
          "app in (a",
          "app in a",
          "app=a b",
          "app,",
          "!app=x",
          "app=some:value",
          "app>x",
          "app=-x"
        })
    void invalidSelectors(String selector) {
      assertThatThrownBy(() -> source(selector))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith(
              "whitelist[0].source_label[0] \"" + selector + "\": invalid label selector: ");
    }

    @Test
    void emptyValue() {
      assertThat(source("app=")).accepts(from("app=")).accepts(from("app")).rejects(from("app=x"));
    }

    @Test
    void selectorErrorsSayWhatWasExpected() {
      assertThatThrownBy(() -> source("app in (a"))
          .hasMessageContaining("found 'end of string', expected: ',' or ')'");
      assertThatThrownBy(() -> source("any:k8s:bla"))
          .hasMessageContaining("invalid label key \"any:k8s:bla\"");
      assertThatThrownBy(() -> source("app>x"))
          .hasMessageContaining("the value must be an integer");
    }

    @Test
    void nodeLabelsHaveNoSources() {
      Predicate<Flow> p = allow(filter(f -> f.addNodeLabels("topology.kubernetes.io/zone=a")));
      assertThat(p)
          .accepts(flow(b -> b.addNodeLabels("topology.kubernetes.io/zone=a")))
          .rejects(flow(b -> b.addNodeLabels("topology.kubernetes.io/zone=b")));
    }
  }

  @Test
  void identities() {
    Predicate<Flow> p =
        allow(filter(f -> f.addSourceIdentity(1).addSourceIdentity(256).addDestinationIdentity(2)));
    assertThat(p)
        .accepts(
            flow(
                b ->
                    b.setSource(Endpoint.newBuilder().setIdentity(256))
                        .setDestination(Endpoint.newBuilder().setIdentity(2))))
        .rejects(
            flow(
                b ->
                    b.setSource(Endpoint.newBuilder().setIdentity(2))
                        .setDestination(Endpoint.newBuilder().setIdentity(2))),
            flow(b -> b.setSource(Endpoint.newBuilder().setIdentity(1))));
  }

  @Test
  void dropReasonOnlyMatchesDrops() {
    Predicate<Flow> p = allow(filter(f -> f.addDropReasonDesc(DropReason.POLICY_DENIED)));
    assertThat(p)
        .accepts(
            flow(b -> b.setVerdict(Verdict.DROPPED).setDropReasonDesc(DropReason.POLICY_DENIED)))
        .rejects(
            flow(b -> b.setVerdict(Verdict.FORWARDED).setDropReasonDesc(DropReason.POLICY_DENIED)),
            flow(b -> b.setVerdict(Verdict.DROPPED).setDropReasonDesc(DropReason.POLICY_DENY)));
  }

  @Test
  void trafficDirection() {
    Predicate<Flow> p = allow(filter(f -> f.addTrafficDirection(TrafficDirection.INGRESS)));
    assertThat(p)
        .accepts(flow(b -> b.setTrafficDirection(TrafficDirection.INGRESS)))
        .rejects(
            flow(b -> b.setTrafficDirection(TrafficDirection.EGRESS)), Flow.getDefaultInstance());
  }

  @Nested
  class EventTypes {
    @Test
    void typeAloneMatchesEverySubType() {
      Predicate<Flow> p = allow(filter(f -> f.addEventType(type(1))));
      assertThat(p).accepts(event(1, 133), event(1, 181)).rejects(event(4, 0));
    }

    @Test
    void subTypeWhenAsked() {
      // trace:to-endpoint is type 4 sub type 0: match_sub_type tells it from "any sub type"
      Predicate<Flow> p = allow(filter(f -> f.addEventType(type(4, 0)).addEventType(type(4, 5))));
      assertThat(p).accepts(event(4, 0), event(4, 5)).rejects(event(4, 3), event(1, 0));
    }

    @Test
    void typeZeroIsAnyType() {
      assertThat(allow(filter(f -> f.addEventType(type(0, 133)))))
          .accepts(event(1, 133))
          .rejects(event(1, 134));
    }

    @Test
    void flowWithoutEventTypeNeverMatches() {
      assertThat(allow(filter(f -> f.addEventType(type(0))))).rejects(Flow.getDefaultInstance());
    }

    @Test
    void policyVerdictAndL7() {
      Predicate<Flow> p = allow(filter(f -> f.addEventType(type(5)).addEventType(type(129))));
      assertThat(p).accepts(event(5, 0), event(129, 0)).rejects(event(4, 0));
    }
  }

  @Nested
  class Ports {
    @Test
    void tcpUdpAndSctpHavePorts() {
      Predicate<Flow> p = allow(filter(f -> f.addDestinationPort("80").addDestinationPort("53")));
      assertThat(p)
          .accepts(
              flow(b -> b.setL4(tcp(40000, 80))),
              flow(b -> b.setL4(udp(40000, 53))),
              flow(
                  b ->
                      b.setL4(
                          Layer4.newBuilder()
                              .setSCTP(SCTP.newBuilder().setSourcePort(1).setDestinationPort(80)))))
          .rejects(
              flow(b -> b.setL4(tcp(80, 8080))),
              flow(b -> b.setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder().setType(8)))),
              Flow.getDefaultInstance());
    }

    @Test
    void sourcePort() {
      assertThat(allow(filter(f -> f.addSourcePort("0"))))
          .accepts(flow(b -> b.setL4(udp(0, 53))))
          .rejects(flow(b -> b.setL4(udp(53, 0))), Flow.getDefaultInstance());
    }

    @ParameterizedTest
    @ValueSource(strings = {"http", "65536", "-1", "", " 80", "8o"})
    void invalidPorts(String port) {
      assertThatThrownBy(() -> allow(filter(f -> f.addDestinationPort(port))))
          .hasMessage(
              "whitelist[0].destination_port[0] \""
                  + port
                  + "\": invalid port (expected: a number 0-65535)");
    }
  }

  @Nested
  class Protocols {
    private final Flow tcp = flow(b -> b.setL4(tcp(1, 2)));
    private final Flow udp = flow(b -> b.setL4(udp(1, 2)));
    private final Flow icmp4 =
        flow(b -> b.setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder().setType(8))));
    private final Flow icmp6 =
        flow(b -> b.setL4(Layer4.newBuilder().setICMPv6(ICMPv6.newBuilder().setType(128))));
    private final Flow httpFlow = http("GET", "/", 0);
    private final Flow dns =
        flow(b -> b.setL7(Layer7.newBuilder().setDns(DNS.newBuilder().setQuery("a.b."))));

    @Test
    void l4() {
      assertThat(allow(filter(f -> f.addProtocol("TCP")))).accepts(tcp).rejects(udp, icmp4);
      assertThat(allow(filter(f -> f.addProtocol("udp").addProtocol("tcp"))))
          .accepts(tcp, udp)
          .rejects(icmp6);
    }

    @Test
    void icmpIsBothFamilies() {
      assertThat(allow(filter(f -> f.addProtocol("icmp")))).accepts(icmp4, icmp6).rejects(tcp);
      assertThat(allow(filter(f -> f.addProtocol("icmpv4")))).accepts(icmp4).rejects(icmp6);
      assertThat(allow(filter(f -> f.addProtocol("icmpv6")))).accepts(icmp6).rejects(icmp4);
    }

    @Test
    void l7() {
      assertThat(allow(filter(f -> f.addProtocol("http")))).accepts(httpFlow).rejects(dns, tcp);
      assertThat(allow(filter(f -> f.addProtocol("dns")))).accepts(dns).rejects(httpFlow);
    }

    @Test
    void unknown() {
      assertThatThrownBy(() -> allow(filter(f -> f.addProtocol("tcp").addProtocol("quic"))))
          .hasMessageStartingWith("whitelist[0].protocol[1] \"quic\": unknown protocol (expected:");
    }
  }

  @Nested
  class TcpFlags {
    private final Flow syn = flow(b -> b.setL4(tcp(1, 2, flags("SYN"))));
    private final Flow synAck = flow(b -> b.setL4(tcp(1, 2, flags("SYN", "ACK"))));
    private final Flow fin = flow(b -> b.setL4(tcp(1, 2, flags("FIN", "ACK"))));

    @Test
    void aFlagSetMatchesFlowsWithAtLeastThoseFlags() {
      assertThat(allow(filter(f -> f.addTcpFlags(flags("SYN"))))).accepts(syn, synAck).rejects(fin);
      assertThat(allow(filter(f -> f.addTcpFlags(flags("SYN", "ACK")))))
          .accepts(synAck)
          .rejects(syn, fin);
    }

    @Test
    void flagSetsAreAlternatives() {
      assertThat(allow(filter(f -> f.addTcpFlags(flags("FIN")).addTcpFlags(flags("RST")))))
          .accepts(fin, flow(b -> b.setL4(tcp(1, 2, flags("RST")))))
          .rejects(syn);
    }

    @Test
    void flowsWithoutTcpFlagsNeverMatch() {
      assertThat(allow(filter(f -> f.addTcpFlags(TCPFlags.getDefaultInstance()))))
          .accepts(syn)
          .rejects(flow(b -> b.setL4(tcp(1, 2))), flow(b -> b.setL4(udp(1, 2))));
    }
  }

  @Nested
  class NodeNames {
    private Flow on(String node) {
      return flow(b -> b.setNodeName(node));
    }

    @Test
    void globWithinTheDefaultCluster() {
      Predicate<Flow> p = allow(filter(f -> f.addNodeName("k8s*")));
      assertThat(p)
          .accepts(on("k8s1"), on("k8s-worker"), on("default/k8s2"), on("prod/k8s3"))
          .rejects(on("node1"), on(""));
    }

    @Test
    void clusterAndNode() {
      Predicate<Flow> p = allow(filter(f -> f.addNodeName("prod/*.example.com")));
      assertThat(p)
          .accepts(on("prod/n1.example.com"))
          .rejects(on("dev/n1.example.com"), on("n1.example.com"));
      assertThat(allow(filter(f -> f.addNodeName("prod/"))))
          .accepts(on("prod/any"))
          .rejects(on("x"));
    }

    @Test
    void caseAndTrailingDotAreCanonicalised() {
      assertThat(allow(filter(f -> f.addNodeName("Node1.")))).accepts(on("node1"));
    }

    @ParameterizedTest
    @CsvSource(
        delimiter = '|',
        value = {
          "a/b/c|too many slashes in pattern (expected: [CLUSTER/]NODE)",
          "node?|invalid character '?' in pattern (expected: letters, digits, '-', '_', '.' and"
              + " '*')",
          "node..|multiple trailing dots in pattern"
        })
    void invalidPatterns(String pattern, String why) {
      assertThatThrownBy(() -> allow(filter(f -> f.addNodeName("k8s*").addNodeName(pattern))))
          .hasMessage("whitelist[0].node_name[1] \"" + pattern + "\": " + why);
    }
  }

  @Nested
  class Fqdns {
    @Test
    void globsOverDnsNames() {
      Predicate<Flow> p = allow(filter(f -> f.addDestinationFqdn("*.cilium.io")));
      assertThat(p)
          .accepts(flow(b -> b.addDestinationNames("docs.cilium.io")))
          .accepts(flow(b -> b.addDestinationNames("x.y").addDestinationNames("api.cilium.io")))
          .rejects(flow(b -> b.addDestinationNames("cilium.io")), Flow.getDefaultInstance());
      assertThat(allow(filter(f -> f.addSourceFqdn("Example.COM."))))
          .accepts(flow(b -> b.addSourceNames("example.com")));
    }

    @Test
    void invalidPattern() {
      assertThatThrownBy(() -> allow(filter(f -> f.addSourceFqdn("  "))))
          .hasMessage("whitelist[0].source_fqdn[0] \"  \": empty pattern");
    }

    @Test
    void dnsQueryRegex() {
      Predicate<Flow> p = allow(filter(f -> f.addDnsQuery("cilium\\.io\\.$")));
      assertThat(p)
          .accepts(
              flow(
                  b ->
                      b.setL7(
                          Layer7.newBuilder()
                              .setDns(DNS.newBuilder().setQuery("docs.cilium.io.")))))
          .rejects(http("GET", "/", 200));
    }
  }

  @Nested
  class Http {
    @Test
    void methodIgnoresCase() {
      Predicate<Flow> p = allow(filter(f -> f.addHttpMethod("get")));
      assertThat(p).accepts(http("GET", "/", 0)).rejects(http("POST", "/", 0), http("", "/", 200));
    }

    @Test
    void pathRegexSearchesThePathOnly() {
      Predicate<Flow> p = allow(filter(f -> f.addHttpPath("/page/\\d+")));
      assertThat(p)
          .accepts(http("GET", "http://a.b/page/42?x=1", 0), http("GET", "/v1/page/7", 0))
          .rejects(http("GET", "http://a.b/page/x?p=/page/1", 0), http("GET", "page/1", 0));
    }

    @Test
    void urlRegexSeesTheWholeUrl() {
      assertThat(allow(filter(f -> f.addHttpUrl("\\?debug=1"))))
          .accepts(http("GET", "http://a/b?debug=1", 0))
          .rejects(http("GET", "http://a/b", 0));
    }

    @Test
    void statusCodesAndPrefixes() {
      Predicate<Flow> p = allow(filter(f -> f.addHttpStatusCode("200").addHttpStatusCode("4+")));
      assertThat(p)
          .accepts(http("GET", "/", 200), http("GET", "/", 404), http("GET", "/", 451))
          .rejects(http("GET", "/", 201), http("GET", "/", 500), http("GET", "/", 0));
      assertThat(allow(filter(f -> f.addHttpStatusCode("50+"))))
          .accepts(http("GET", "/", 503))
          .rejects(http("GET", "/", 510));
    }

    @ParameterizedTest
    @ValueSource(strings = {"600", "4xx", "+", "4", "2000", "0+"})
    void invalidStatusCodes(String code) {
      assertThatThrownBy(() -> allow(filter(f -> f.addHttpStatusCode(code))))
          .hasMessage(
              "whitelist[0].http_status_code[0] \""
                  + code
                  + "\": invalid status code (expected: a code like 404 or a prefix like 4+ or"
                  + " 40+)");
    }

    @Test
    void httpFieldsNeedL7EventTypes() {
      assertThatThrownBy(() -> allow(filter(f -> f.addHttpMethod("GET").addEventType(type(1)))))
          .hasMessage(
              "whitelist[0].http_method: filtering by http_method requires the event type filter"
                  + " to match 'l7' events (type 129)");
      assertThat(
              allow(
                  filter(
                      f -> f.addHttpMethod("GET").addEventType(type(129)).addEventType(type(1)))))
          .isNotNull();
    }

    @Test
    void invalidRegex() {
      assertThatThrownBy(() -> allow(filter(f -> f.addHttpPath("/a(b"))))
          .hasMessageStartingWith(
              "whitelist[0].http_path[0] \"/a(b\": invalid regular expression: ");
    }

    @Test
    void headers() {
      Predicate<Flow> p =
          allow(
              filter(f -> f.addHttpHeader(HTTPHeader.newBuilder().setKey("x-user").setValue("a"))));
      Flow withHeader =
          flow(
              b ->
                  b.setL7(
                      Layer7.newBuilder()
                          .setHttp(
                              HTTP.newBuilder()
                                  .addHeaders(
                                      HTTPHeader.newBuilder().setKey("x-user").setValue("a")))));
      assertThat(p).accepts(withHeader).rejects(http("GET", "/", 200));
    }
  }

  @Nested
  class Reply {
    private final Flow reply = flow(b -> b.setIsReply(BoolValue.of(true)));
    private final Flow request = flow(b -> b.setIsReply(BoolValue.of(false)));
    private final Flow unknownForwarded = flow(b -> b.setVerdict(Verdict.FORWARDED));
    private final Flow unknownDropped = flow(b -> b.setVerdict(Verdict.DROPPED));

    @Test
    void replies() {
      assertThat(allow(filter(f -> f.addReply(true))))
          .accepts(reply)
          .rejects(request, unknownForwarded, unknownDropped);
    }

    @Test
    void nonRepliesIncludeDropsOfUnknownDirection() {
      assertThat(allow(filter(f -> f.addReply(false))))
          .accepts(request, unknownDropped)
          .rejects(reply, unknownForwarded);
    }
  }

  @Test
  void workloadsClustersInterfacesEncryptionTraces() {
    Flow f =
        flow(
            b ->
                b.setSource(
                        Endpoint.newBuilder()
                            .setClusterName("c1")
                            .addWorkloads(
                                Workload.newBuilder().setName("web").setKind("Deployment")))
                    .setInterface(NetworkInterface.newBuilder().setIndex(7).setName("lxc1"))
                    .setIP(IP.newBuilder().setEncrypted(true)));
    assertThat(allow(filter(x -> x.addSourceWorkload(Workload.newBuilder().setKind("Deployment")))))
        .accepts(f);
    assertThat(allow(filter(x -> x.addSourceWorkload(Workload.newBuilder().setName("db")))))
        .rejects(f);
    assertThat(allow(filter(x -> x.addSourceClusterName("c1")))).accepts(f);
    assertThat(allow(filter(x -> x.addDestinationClusterName("c1")))).rejects(f);
    assertThat(allow(filter(x -> x.addInterface(NetworkInterface.newBuilder().setName("lxc1")))))
        .accepts(f);
    assertThat(allow(filter(x -> x.addInterface(NetworkInterface.newBuilder().setIndex(8)))))
        .rejects(f);
    assertThat(allow(filter(x -> x.addEncrypted(true)))).accepts(f);
    assertThat(allow(filter(x -> x.addTraceId("abc")))).rejects(f);
    assertThatThrownBy(() -> allow(filter(x -> x.addSourceClusterName(""))))
        .hasMessage("whitelist[0].source_cluster_name[0] \"\": empty cluster name");
  }

  @Test
  void celExpressionsAreRefusedNotIgnored() {
    assertThatThrownBy(
            () ->
                allow(
                    filter(
                        f ->
                            f.setExperimental(
                                FlowFilter.Experimental.newBuilder()
                                    .addCelExpression("_flow.verdict == 1")))))
        .hasMessage(
            "whitelist[0].experimental.cel_expression[0] \"_flow.verdict == 1\": CEL expressions"
                + " are not supported by Jilium");
  }
}
