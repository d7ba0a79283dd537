package io.jilium.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jilium.agent.state.AgentState;
import io.jilium.agent.state.StateStore;
import io.jilium.core.net.Cidr;
import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.Document;
import io.jilium.core.resource.ManifestException;
import io.jilium.core.resource.ManifestReader;
import io.jilium.core.resource.Resource;
import io.jilium.core.resource.ResourceParser;
import io.jilium.core.service.Maglev;
import io.jilium.core.service.ServiceEndpointsResolver.ContainerPort;
import io.jilium.core.service.ServiceEndpointsResolver.Pod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceManagerTest {
  private static final String NODE = "node-a";
  private final List<Pod> pods = new ArrayList<>();
  private final FakeLbMaps maps = new FakeLbMaps();

  private ServiceManager manager(Optional<Maglev> maglev) {
    ServiceManager m =
        new ServiceManager(
            new ServiceManager.Config(
                NODE,
                List.of(Cidr.parse("10.96.0.0/24"), Cidr.parse("fd00:96::/120")),
                30000,
                30010,
                maglev),
            ns -> pods.stream().filter(p -> p.namespace().equals(ns)).toList());
    m.attach(maps);
    return m;
  }

  private ServiceManager manager() {
    return manager(Optional.empty());
  }

  private static Pod pod(String name, Map<String, String> labels, String... ips) {
    return new Pod(
        "shop",
        name,
        labels,
        List.of(ips),
        List.of(new ContainerPort("http", 8080, Protocol.TCP)),
        true,
        false,
        false);
  }

  private static List<String[]> apply(ServiceManager m, boolean delete, String yaml) {
    List<Document> docs = ManifestReader.read("t.yaml", yaml);
    List<Resource> rs = ResourceParser.parseAll(docs);
    return m.apply(rs, docs.stream().map(Document::where).toList(), delete);
  }

  private static List<String[]> apply(ServiceManager m, String yaml) {
    return apply(m, false, yaml);
  }

  /** A Service of namespace shop as YAML; {@code spec} is the body of its spec. */
  static String service(String name, String spec) {
    return "apiVersion: v1\nkind: Service\nmetadata: {name: "
        + name
        + ", namespace: shop}\nspec:\n  "
        + spec.replace("\n", "\n  ")
        + "\n";
  }

  private static final String WEB =
      service("web", "selector: {app: web}\nports: [{name: http, port: 80, targetPort: http}]");

  private static List<String> describe(ServiceManager m) {
    List<String> out = new ArrayList<>();
    for (ServiceManager.FrontendView f : m.frontends()) {
      StringBuilder b =
          new StringBuilder(f.id() + " " + f.frontend() + " " + f.type().ciliumName() + " =>");
      for (ServiceManager.BackendView bv : f.backends()) {
        b.append(' ')
            .append(bv.id())
            .append('=')
            .append(bv.address())
            .append(bv.terminating() ? "(terminating)" : "");
      }
      out.add(b.toString());
    }
    return out;
  }

  @Test
  void clusterIpFromTheRangeAndBackendsFromMatchingPods() {
    pods.add(pod("web-1", Map.of("app", "web"), "10.0.0.1", "fd00::1"));
    pods.add(pod("web-2", Map.of("app", "web"), "10.0.0.2"));
    pods.add(pod("db", Map.of("app", "db"), "10.0.0.3"));
    ServiceManager m = manager();
    assertThat(apply(m, WEB)).containsExactly(new String[] {"Service", "shop", "web", "created"});
    assertThat(describe(m))
        .containsExactly("1 10.96.0.1:80/TCP ClusterIP => 1=10.0.0.1:8080/TCP 2=10.0.0.2:8080/TCP");
    LbState.Frontend fe = m.desired().frontends().get(L3n4Addr.parse("10.96.0.1:80/TCP"));
    assertThat(fe).isEqualTo(new LbState.Frontend(1, LbState.F_CLUSTERIP, 0, 2, List.of(1, 2)));
    assertThat(maps.read().frontends()).isEqualTo(m.desired().frontends());
    assertThat(apply(m, WEB)).containsExactly(new String[] {"Service", "shop", "web", "unchanged"});
  }

  /** A slice of Service {@code svc} with endpoints on this node, another node and no node. */
  private static String sliceAcrossNodes(String svc) {
    return "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
        + "metadata: {name: "
        + svc
        + "-1, namespace: shop, labels: {kubernetes.io/service-name: "
        + svc
        + "}}\naddressType: IPv4\nendpoints:\n"
        + "- {addresses: [10.0.1.1], nodeName: "
        + NODE
        + "}\n"
        + "- {addresses: [10.0.1.2], nodeName: node-b}\n"
        + "- {addresses: [10.0.1.3]}\n"
        + "ports: [{name: http, port: 8080}]\n";
  }

  @Test
  void externalTrafficPolicyLocalLeavesOutsideTrafficToThisNodesEndpoints() {
    ServiceManager m = manager();
    apply(
        m,
        service(
                "ext",
                "type: NodePort\nexternalTrafficPolicy: Local\nexternalIPs: [192.0.2.10]\n"
                    + "ports: [{name: http, port: 80, nodePort: 30005}]")
            + sliceAcrossNodes("ext"));

    // the node port and the external IP: only the endpoint whose nodeName is this node's; the
    // ClusterIP (internal traffic, policy Cluster): all three
    assertThat(describe(m))
        .containsExactly(
            "1 0.0.0.0:30005/TCP NodePort => 1=10.0.1.1:8080/TCP",
            "2 10.96.0.1:80/TCP ClusterIP => 1=10.0.1.1:8080/TCP 2=10.0.1.2:8080/TCP"
                + " 3=10.0.1.3:8080/TCP",
            "3 192.0.2.10:80/TCP ExternalIPs => 1=10.0.1.1:8080/TCP");
    assertThat(maps.read().frontends()).isEqualTo(m.desired().frontends());
  }

  @Test
  void internalTrafficPolicyLocalLeavesTheClusterIpToThisNodesEndpoints() {
    ServiceManager m = manager();
    apply(
        m,
        service(
                "int",
                "type: NodePort\ninternalTrafficPolicy: Local\n"
                    + "ports: [{name: http, port: 80, nodePort: 30006}]")
            + sliceAcrossNodes("int"));

    assertThat(describe(m))
        .containsExactly(
            "1 0.0.0.0:30006/TCP NodePort => 1=10.0.1.1:8080/TCP 2=10.0.1.2:8080/TCP"
                + " 3=10.0.1.3:8080/TCP",
            "2 10.96.0.1:80/TCP ClusterIP => 1=10.0.1.1:8080/TCP");
  }

  @Test
  void aLocalPolicyWithNoEndpointOnThisNodeLeavesTheFrontendWithoutBackends() {
    ServiceManager m = manager();
    apply(
        m,
        service(
                "far",
                "type: NodePort\nexternalTrafficPolicy: Local\n"
                    + "ports: [{name: http, port: 80, nodePort: 30007}]")
            + sliceAcrossNodes("far").replace("nodeName: " + NODE, "nodeName: node-c"));

    assertThat(describe(m))
        .containsExactly(
            "1 0.0.0.0:30007/TCP NodePort =>",
            "2 10.96.0.1:80/TCP ClusterIP => 1=10.0.1.1:8080/TCP 2=10.0.1.2:8080/TCP"
                + " 3=10.0.1.3:8080/TCP");
    // slot 0 with no backends: the datapath refuses the node port's connections at once
    assertThat(m.desired().frontends().get(L3n4Addr.parse("0.0.0.0:30007/TCP")).count()).isZero();
  }

  @Test
  void reApplyingTheSameManifestChangesNothingAndWritesNothing() {
    String manifest =
        service("same", "type: NodePort\nports: [{name: http, port: 80, nodePort: 30008}]")
            + sliceAcrossNodes("same");
    ServiceManager m = manager();
    apply(m, manifest);
    LbState before = m.desired();
    int writes = maps.log.size();

    assertThat(apply(m, manifest))
        .containsExactly(
            new String[] {"Service", "shop", "same", "unchanged"},
            new String[] {"EndpointSlice", "shop", "same-1", "unchanged"});
    assertThat(maps.log).hasSize(writes);
    assertThat(m.desired()).isSameAs(before);

    // one endpoint more in the slice: only that slice's Service is planned and written again
    apply(m, manifest.replace("- {addresses: [10.0.1.3]}", "- {addresses: [10.0.1.3, 10.0.1.4]}"));
    assertThat(maps.log).hasSizeGreaterThan(writes);
    assertThat(describe(m).get(1)).endsWith("4=10.0.1.4:8080/TCP");
  }

  @Test
  void everyKindOfFrontendWithItsFlagsAndOneIdEach() {
    pods.add(pod("web-1", Map.of("app", "web"), "10.0.0.1", "fd00::1"));
    ServiceManager m = manager();
    apply(
        m,
        service(
                "lb",
                """
            type: LoadBalancer
            ipFamilyPolicy: PreferDualStack
            selector: {app: web}
            externalIPs: [192.0.2.10]
            loadBalancerIP: 192.0.2.20
            sessionAffinity: ClientIP
            sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
            ports:
            - {name: http, port: 80, targetPort: 8080}
            - {name: dns, port: 53, protocol: UDP, targetPort: 5353}""")
            + "status: {loadBalancer: {ingress: [{ip: 192.0.2.21}]}}\n");
    assertThat(describe(m))
        .containsExactly(
            "1 0.0.0.0:30000/TCP NodePort => 2=10.0.0.1:8080/TCP",
            "2 0.0.0.0:30001/UDP NodePort => 1=10.0.0.1:5353/UDP",
            "3 10.96.0.1:53/UDP ClusterIP => 1=10.0.0.1:5353/UDP",
            "4 10.96.0.1:80/TCP ClusterIP => 2=10.0.0.1:8080/TCP",
            "5 192.0.2.10:53/UDP ExternalIPs => 1=10.0.0.1:5353/UDP",
            "6 192.0.2.10:80/TCP ExternalIPs => 2=10.0.0.1:8080/TCP",
            "7 192.0.2.20:53/UDP LoadBalancer => 1=10.0.0.1:5353/UDP",
            "8 192.0.2.20:80/TCP LoadBalancer => 2=10.0.0.1:8080/TCP",
            "9 192.0.2.21:53/UDP LoadBalancer => 1=10.0.0.1:5353/UDP",
            "10 192.0.2.21:80/TCP LoadBalancer => 2=10.0.0.1:8080/TCP",
            "11 [::]:30000/TCP NodePort => 4=[fd00::1]:8080/TCP",
            "12 [::]:30001/UDP NodePort => 3=[fd00::1]:5353/UDP",
            "13 [fd00:96::1]:53/UDP ClusterIP => 3=[fd00::1]:5353/UDP",
            "14 [fd00:96::1]:80/TCP ClusterIP => 4=[fd00::1]:8080/TCP")
        .hasSize(14);
    LbState.Frontend np = m.desired().frontends().get(L3n4Addr.parse("0.0.0.0:30000/TCP"));
    assertThat(np.flags()).isEqualTo(LbState.F_NODEPORT | LbState.F_AFFINITY);
    assertThat(np.affinityTimeout()).isEqualTo(60);
    assertThat(m.desired().frontends().get(L3n4Addr.parse("192.0.2.10:80/TCP")).flags())
        .isEqualTo(LbState.F_EXTERNAL_IP | LbState.F_AFFINITY);
    assertThat(m.desired().frontends().get(L3n4Addr.parse("192.0.2.21:80/TCP")).flags())
        .isEqualTo(LbState.F_LOADBALANCER | LbState.F_AFFINITY);
    assertThat(m.desired().revNat())
        .containsEntry(
            new LbState.FamilyId(io.jilium.core.resource.IpFamily.IPV6, 11),
            new L3n4Addr("::", 30000, Protocol.ANY));
    assertThat(m.service("shop", "lb").orElseThrow().ports())
        .extracting(p -> p.nodePort())
        .containsExactly(30000, 30001);
  }

  @Test
  void maglevGivesEveryFrontendItsTableOfBackendIds() {
    pods.add(pod("web-1", Map.of("app", "web"), "10.0.0.1"));
    pods.add(pod("web-2", Map.of("app", "web"), "10.0.0.2"));
    ServiceManager m = manager(Optional.of(Maglev.of(251, Maglev.DEFAULT_HASH_SEED)));
    apply(m, WEB.replace("  ports:", "  type: NodePort\n  ports:"));
    assertThat(m.desired().frontends()).hasSize(2);
    for (var e : m.desired().frontends().entrySet()) {
      assertThat(e.getValue().flags() & LbState.F_MAGLEV).isEqualTo(LbState.F_MAGLEV);
      LbState.MaglevTable t =
          m.desired().maglev().get(new LbState.FamilyId(e.getKey().family(), e.getValue().id()));
      assertThat(t.size()).isEqualTo(251);
      int ones = 0;
      for (int i = 0; i < t.size(); i++) {
        assertThat(t.at(i)).isIn(1, 2);
        ones += t.at(i) == 1 ? 1 : 0;
      }
      assertThat(ones).isBetween(125, 126);
      // the same table as core's Maglev computes for the backends' names
      Maglev.Table expected =
          Maglev.of(251, Maglev.DEFAULT_HASH_SEED)
              .table(
                  List.of(
                      Maglev.Backend.of("10.0.0.1:8080/TCP"),
                      Maglev.Backend.of("10.0.0.2:8080/TCP")));
      assertThat(t.at(7)).isEqualTo(expected.backendAt(7).startsWith("10.0.0.1") ? 1 : 2);
    }
    // no backends: no table, and the old one goes after slot 0 says count 0
    pods.clear();
    m.podsChanged("shop");
    assertThat(m.desired().maglev()).isEmpty();
    assertThat(maps.read().maglev()).isEmpty();
  }

  @Test
  void podsComingGoingAndRelabelledMoveTheBackends() {
    pods.add(pod("web-1", Map.of("app", "web"), "10.0.0.1"));
    ServiceManager m = manager();
    apply(m, WEB);
    assertThat(describe(m)).containsExactly("1 10.96.0.1:80/TCP ClusterIP => 1=10.0.0.1:8080/TCP");

    pods.add(pod("web-2", Map.of("app", "web"), "10.0.0.2"));
    m.podsChanged("shop");
    assertThat(describe(m))
        .containsExactly("1 10.96.0.1:80/TCP ClusterIP => 1=10.0.0.1:8080/TCP 2=10.0.0.2:8080/TCP");

    pods.set(0, pod("web-1", Map.of("app", "old"), "10.0.0.1"));
    m.podsChanged("shop");
    assertThat(describe(m)).containsExactly("1 10.96.0.1:80/TCP ClusterIP => 2=10.0.0.2:8080/TCP");
    assertThat(maps.read().backends()).containsOnlyKeys(2);

    // another namespace's change does nothing
    int ops = maps.log.size();
    m.podsChanged("other");
    assertThat(maps.log).hasSize(ops);

    pods.clear();
    m.podsChanged("shop");
    assertThat(describe(m)).containsExactly("1 10.96.0.1:80/TCP ClusterIP =>");
    assertThat(maps.read().frontends().get(L3n4Addr.parse("10.96.0.1:80/TCP")).count()).isZero();
    assertThat(maps.read().backends()).isEmpty();
  }

  @Test
  void slicesGiveBackendsToServicesWithoutSelectorTerminatingOnesHoldNoSlot() {
    ServiceManager m = manager();
    apply(
        m,
        service("ext", "ports: [{port: 80, targetPort: 8080}]")
            + """
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: ext-1, namespace: shop, labels: {kubernetes.io/service-name: ext}}
            addressType: IPv4
            ports: [{port: 8080}]
            endpoints:
            - addresses: [10.1.0.1]
            - addresses: [10.1.0.2]
              conditions: {ready: false, serving: true, terminating: true}
            - addresses: [10.1.0.3]
              conditions: {ready: false}
            """);
    assertThat(describe(m))
        .containsExactly(
            "1 10.96.0.1:80/TCP ClusterIP => 1=10.1.0.1:8080/TCP 2=10.1.0.2:8080/TCP(terminating)");
    LbState s = maps.read();
    assertThat(s.frontends().get(L3n4Addr.parse("10.96.0.1:80/TCP")).slots()).containsExactly(1);
    assertThat(s.backends().get(2).state()).isEqualTo(LbState.BACKEND_TERMINATING);
    assertThat(s.backends().get(1).state()).isEqualTo(LbState.BACKEND_ACTIVE);

    apply(
        m,
        true,
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: ext-1, namespace: shop, labels: {kubernetes.io/service-name: ext}}
        addressType: IPv4
        endpoints: []
        """);
    assertThat(describe(m)).containsExactly("1 10.96.0.1:80/TCP ClusterIP =>");
    assertThat(maps.read().backends()).isEmpty();
  }

  @Test
  void aBackendSharedByTwoServicesHasOneId() {
    pods.add(pod("web-1", Map.of("app", "web"), "10.0.0.1"));
    ServiceManager m = manager();
    apply(m, WEB + "---\n" + WEB.replace("name: web,", "name: web2,"));
    assertThat(describe(m))
        .containsExactly(
            "1 10.96.0.1:80/TCP ClusterIP => 1=10.0.0.1:8080/TCP",
            "2 10.96.0.2:80/TCP ClusterIP => 1=10.0.0.1:8080/TCP");
    apply(m, true, WEB);
    assertThat(describe(m)).containsExactly("2 10.96.0.2:80/TCP ClusterIP => 1=10.0.0.1:8080/TCP");
    assertThat(maps.read().frontends()).hasSize(1);
    assertThat(maps.read().revNat()).hasSize(1);
  }

  @Test
  void aFrontendTakenByAnotherServiceIsRefusedWithFileFieldAndOwnerAndUndone() {
    ServiceManager m = manager();
    apply(m, service("a", "externalIPs: [192.0.2.10]\nports: [{port: 80}]"));
    ServiceManager.Snapshot before = m.snapshot();
    LbState mapsBefore = maps.read();
    String b = service("b", "externalIPs: [192.0.2.10]\nports: [{port: 80}]");
    assertThatThrownBy(() -> apply(m, service("c", "ports: [{port: 81}]") + "---\n" + b))
        .isInstanceOf(ManifestException.class)
        .hasMessage(
            "t.yaml: document 2 (Service shop/b): spec.externalIPs: 192.0.2.10:80/TCP is already"
                + " a frontend of Service shop/a");
    m.rollback(before);
    assertThat(m.exists(ResourceParser.parseAll(ManifestReader.read("t.yaml", b)).get(0)))
        .isFalse();
    assertThat(maps.read()).isEqualTo(mapsBefore);
    // c's address was given back: the next Service gets it
    apply(m, service("d", "ports: [{port: 82}]"));
    assertThat(m.service("shop", "d").orElseThrow().clusterIps()).containsExactly("10.96.0.2");
  }

  @Test
  void nodePortRequestsAreChecked() {
    ServiceManager m = manager();
    apply(m, service("a", "type: NodePort\nports: [{port: 80, nodePort: 30005}]"));
    assertThatThrownBy(
            () -> apply(m, service("b", "type: NodePort\nports: [{port: 80, nodePort: 30005}]")))
        .hasMessage(
            "t.yaml: document 1 (Service shop/b): spec.ports[0].nodePort: 30005 is already"
                + " allocated to Service shop/a");
    assertThatThrownBy(
            () -> apply(m, service("c", "type: NodePort\nports: [{port: 80, nodePort: 30020}]")))
        .hasMessage(
            "t.yaml: document 1 (Service shop/c): spec.ports[0].nodePort: 30020 is outside the"
                + " node port range (expected: 30000-30010)");
  }

  @Test
  void aFailedMapWriteIsUndoneByTheRollback() {
    pods.add(pod("web-1", Map.of("app", "web"), "10.0.0.1"));
    ServiceManager m = manager();
    apply(m, WEB);
    ServiceManager.Snapshot before = m.snapshot();
    LbState mapsBefore = maps.read();
    maps.failAfter = 2;
    assertThatThrownBy(
            () ->
                apply(
                    m,
                    service("more", "selector: {app: web}\nports: [{port: 90, targetPort: 8080}]")))
        .hasMessageContaining("injected failure");
    maps.failAfter = -1;
    m.rollback(before);
    assertThat(maps.read()).isEqualTo(mapsBefore);
    assertThat(m.desired()).isEqualTo(mapsBefore);
  }

  @Test
  void stateSurvivesARestartThroughStateJson(@TempDir Path dir) {
    pods.add(pod("web-1", Map.of("app", "web"), "10.0.0.1", "fd00::1"));
    ServiceManager m = manager();
    apply(m, service("first", "ports: [{port: 1}]"));
    apply(
        m,
        WEB.replace(
            "  selector:", "  type: NodePort\n  ipFamilyPolicy: PreferDualStack\n  selector:"));
    apply(m, true, service("first", "ports: [{port: 1}]")); // ids and addresses now have a gap
    StateStore store = new StateStore(dir);
    store.save(new AgentState(1, "n", "", "", 0, null, null, null, null, m.state()));
    AgentState.ServicesState saved = store.load().orElseThrow().services();

    int opsBefore = maps.log.size();
    ServiceManager restarted =
        new ServiceManager(
            m.config(), ns -> pods.stream().filter(p -> p.namespace().equals(ns)).toList());
    restarted.restore(saved);
    restarted.attach(maps);
    assertThat(describe(restarted)).isEqualTo(describe(m));
    assertThat(restarted.desired()).isEqualTo(m.desired());
    assertThat(maps.log).hasSize(opsBefore); // the maps were already right: nothing written
    assertThat(restarted.state()).isEqualTo(m.state());
    // allocations are held: a new Service does not get web's addresses or node port
    apply(restarted, service("next", "type: NodePort\nports: [{port: 80}]"));
    assertThat(restarted.service("shop", "next").orElseThrow().clusterIps())
        .containsExactly("10.96.0.1");
    assertThat(restarted.service("shop", "web").orElseThrow().clusterIps())
        .containsExactly("10.96.0.2", "fd00:96::1");
    assertThat(restarted.service("shop", "next").orElseThrow().ports().get(0).nodePort())
        .isEqualTo(30001);
  }

  @Test
  void attachingRemovesWhatAnEarlierAgentLeftAndKeepsWhatIsWanted() {
    pods.add(pod("web-1", Map.of("app", "web"), "10.0.0.1"));
    ServiceManager old = manager();
    apply(old, WEB + "---\n" + service("gone", "ports: [{port: 9}]"));
    AgentState.ServicesState saved = old.state();
    ServiceManager fresh =
        new ServiceManager(
            old.config(), ns -> pods.stream().filter(p -> p.namespace().equals(ns)).toList());
    // the second Service was deleted from the state (as if by an older state file)
    fresh.restore(
        new AgentState.ServicesState(
            saved.services().subList(1, 2), List.of(), saved.serviceIds(), saved.backendIds()));
    fresh.attach(maps);
    assertThat(maps.read()).isEqualTo(fresh.desired());
    assertThat(describe(fresh))
        .containsExactly("1 10.96.0.1:80/TCP ClusterIP => 1=10.0.0.1:8080/TCP");
  }
}
