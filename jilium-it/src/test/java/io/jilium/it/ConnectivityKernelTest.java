package io.jilium.it;

import static io.jilium.it.Net.assertPingAllowed;
import static io.jilium.it.Net.assertTcpAllowed;
import static io.jilium.it.Net.assertUdpAllowed;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Without any policy, pods reach each other and the host reaches pods: TCP, UDP, ICMP, IPv4 and
 * IPv6.
 */
@Tag("kernel")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ConnectivityKernelTest {
  @RegisterExtension static final AgentFixture agent = new AgentFixture();

  @Test
  void podToPodTcpUdpIcmpOverIpv4AndIpv6() {
    Pod server = Net.serverPod(agent, "conn/server", "app=server");
    Pod client = agent.podRun("conn/client", "app=client");
    for (int family : new int[] {4, 6}) {
      String ip = server.ip(family);
      assertTcpAllowed(client, ip, Net.HTTP);
      assertTcpAllowed(client, ip, Net.ALT);
      assertUdpAllowed(client, ip, Net.DNS);
      assertUdpAllowed(client, ip, Net.ALT_UDP);
      assertPingAllowed(client, ip);
      // and the other way round
      assertPingAllowed(server, client.ip(family));
    }
    // a closed port answers with a reset, not silence: nothing drops it
    Net.Probe closed = Net.tcp(Net.Origin.of(client), server.ipv4(), 9, Net.ALLOW_WAIT);
    assertThat(closed.outcome()).as("%s", closed).isEqualTo(Net.Outcome.REFUSED);
  }

  @Test
  void hostToPod() {
    Pod server = Net.serverPod(agent, "conn/hosted", "app=hosted");
    for (int family : new int[] {4, 6}) {
      String ip = server.ip(family);
      assertTcpAllowed(Net.Origin.HOST, ip, Net.HTTP);
      assertUdpAllowed(Net.Origin.HOST, ip, Net.DNS);
      assertPingAllowed(Net.Origin.HOST, ip);
    }
  }

  @Test
  void aLongLivedConnectionCarriesData() {
    Pod server = Net.serverPod(agent, "conn/echo", "app=echo");
    Pod client = agent.podRun("conn/talker", "app=talker");
    try (Net.Connection c = Net.Connection.open(client, server.ipv6(), Net.ECHO)) {
      for (int i = 0; i < 5; i++) {
        c.assertFlows();
      }
    }
  }
}
