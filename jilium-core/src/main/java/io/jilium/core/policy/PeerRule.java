package io.jilium.core.policy;

import io.jilium.core.labels.LabelSelector;
import java.util.List;

/**
 * One element of a rule's {@code ingress}/{@code egress} (or deny) list: the peers it selects and
 * the ports it opens. {@code peers} empty with {@code allPeers} means any peer (a rule with only
 * ports); {@code ports} empty means every protocol and port.
 *
 * @param index position in its list, for messages ({@code ingress[1]})
 */
public record PeerRule(
    int index, List<LabelSelector> peers, boolean allPeers, List<PortProtocol> ports) {
  public PeerRule {
    peers = List.copyOf(peers);
    ports = List.copyOf(ports);
  }
}
