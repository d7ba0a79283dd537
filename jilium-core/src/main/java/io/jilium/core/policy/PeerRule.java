package io.jilium.core.policy;

import io.jilium.core.labels.LabelSelector;
import java.util.List;

/**
 * One element of a rule's {@code ingress}/{@code egress} (or deny) list: the peers it selects and
 * the ports it opens.
 *
 * <p>Peers are the union of {@code peers} (label selectors over identities: endpoints, entities)
 * and {@code cidrs}; {@code allPeers} means any peer (a rule with no L3 field). Ports are the union
 * of {@code ports} and {@code icmps}; both empty means every protocol and port.
 *
 * @param index position in its list, for messages ({@code ingress[1]})
 * @param path where the rule is in its resource ({@code spec.ingress[1]}), for trace and stats
 */
public record PeerRule(
    int index,
    String path,
    List<LabelSelector> peers,
    List<CidrPeer> cidrs,
    boolean allPeers,
    List<PortProtocol> ports,
    List<IcmpField> icmps) {
  public PeerRule {
    peers = List.copyOf(peers);
    cidrs = List.copyOf(cidrs);
    ports = List.copyOf(ports);
    icmps = List.copyOf(icmps);
  }

  /** A rule with only label-selector peers and ports. */
  public PeerRule(
      int index, List<LabelSelector> peers, boolean allPeers, List<PortProtocol> ports) {
    this(index, "", peers, List.of(), allPeers, ports, List.of());
  }

  /** True when the rule names no protocol: it covers every protocol and port. */
  public boolean allPorts() {
    return ports.isEmpty() && icmps.isEmpty();
  }
}
