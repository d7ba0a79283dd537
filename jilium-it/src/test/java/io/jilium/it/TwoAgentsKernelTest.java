package io.jilium.it;

import static io.jilium.it.Net.assertPingAllowed;
import static io.jilium.it.Net.assertTcpAllowed;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two agents on one machine (different names, sockets, state dirs, CIDRs) do not disturb each
 * other.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TwoAgentsKernelTest {
  @RegisterExtension static final AgentFixture red = new AgentFixture();
  @RegisterExtension static final AgentFixture blue = new AgentFixture();

  @Test
  void twoAgentsCoexistAndCleaningUpOneLeavesTheOther() {
    assertThat(red.node()).isNotEqualTo(blue.node());
    assertThat(red.cidrV4()).isNotEqualTo(blue.cidrV4());

    // the same pod names and labels on both: they are different pods on different nodes
    Pod redSrv = Net.serverPod(red, "two/srv", "app=srv");
    Pod redCli = red.podRun("two/cli", "app=cli");
    Pod blueSrv = Net.serverPod(blue, "two/srv", "app=srv");
    Pod blueCli = blue.podRun("two/cli", "app=cli");
    assertThat(redSrv.ipv4()).startsWith(red.cidrV4Prefix());
    assertThat(blueSrv.ipv4()).startsWith(blue.cidrV4Prefix());
    assertThat(redSrv.netns()).isNotEqualTo(blueSrv.netns());
    assertThat(red.pods()).hasSize(2);
    assertThat(blue.pods()).hasSize(2);

    for (int f : new int[] {4, 6}) {
      assertTcpAllowed(redCli, redSrv.ip(f), Net.HTTP);
      assertTcpAllowed(blueCli, blueSrv.ip(f), Net.HTTP);
    }

    // a policy on red does not touch blue
    red.apply(
        """
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: only-80
          namespace: two
        spec:
          endpointSelector:
            matchLabels:
              app: srv
          ingress:
          - fromEndpoints:
            - matchLabels:
                app: cli
            toPorts:
            - ports:
              - port: "80"
                protocol: TCP
        """);
    assertThat(Net.tcpConnect(redCli, redSrv.ipv4(), Net.ALT))
        .as("red enforces its policy")
        .isFalse();
    assertThat(Net.udpProbe(redCli, redSrv.ipv4(), Net.DNS))
        .as("red enforces its policy")
        .isFalse();
    assertTcpAllowed(blueCli, blueSrv.ipv4(), Net.ALT);
    assertThat(blue.status().path("policies").asInt()).isZero();

    // stop and clean up red entirely: blue keeps its pods, maps and traffic
    red.teardown();
    assertThat(Path.of(redSrv.netns())).doesNotExist();
    assertThat(red.leftovers()).isEmpty();
    assertThat(Files.isDirectory(blue.pinDir())).as("blue's pinned maps").isTrue();
    assertThat(Path.of(blueSrv.netns())).exists();
    assertThat(Host.linkExists(blueSrv.interfaceName())).isTrue();
    assertThat(blue.pods()).extracting(Pod::ref).containsExactlyInAnyOrder("two/srv", "two/cli");
    assertThat(blue.status().path("healthy").asBoolean()).isTrue();
    for (int f : new int[] {4, 6}) {
      assertTcpAllowed(blueCli, blueSrv.ip(f), Net.HTTP);
      assertPingAllowed(blueCli, blueSrv.ip(f));
    }
    Pod late = blue.podRun("two/late", "app=late");
    assertTcpAllowed(late, blueSrv.ipv4(), Net.ALT);
  }
}
