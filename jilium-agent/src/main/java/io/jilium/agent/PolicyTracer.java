package io.jilium.agent;

import io.jilium.agent.endpoint.Endpoint;
import io.jilium.agent.endpoint.NotFoundException;
import io.jilium.api.agent.v1.PolicyTraceRequest;
import io.jilium.api.agent.v1.PolicyTraceResponse;
import io.jilium.api.agent.v1.TraceEnd;
import io.jilium.api.agent.v1.TraceStep;
import io.jilium.core.identity.Identity;
import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.Direction;
import io.jilium.core.policy.PolicyLookup;
import io.jilium.core.policy.Protocol;
import io.jilium.core.policy.RuleOrigin;
import io.jilium.core.policy.RuleRef;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code jilium policy trace}: the verdict the datapath gives a new connection from a source to a
 * destination, egress of the source and ingress of the destination, with the rules that decided
 * each. Runs on the control loop.
 */
final class PolicyTracer {
  private final Agent agent;

  PolicyTracer(Agent agent) {
    this.agent = agent;
  }

  /** One side of the connection: a local endpoint, or an address with its ipcache identity. */
  private record End(String name, String ip, int identity, Optional<Endpoint> endpoint) {}

  PolicyTraceResponse trace(PolicyTraceRequest r) {
    String protoText = r.getProtocol().isEmpty() ? "TCP" : r.getProtocol().toUpperCase(Locale.ROOT);
    int proto =
        switch (protoText) {
          case "TCP" -> Protocol.TCP.number();
          case "UDP" -> Protocol.UDP.number();
          case "SCTP" -> Protocol.SCTP.number();
          case "ICMP" -> Protocol.ICMP.number();
          case "ICMPV6" -> Protocol.ICMPV6.number();
          default ->
              throw new IllegalArgumentException(
                  "protocol \""
                      + r.getProtocol()
                      + "\" (expected: TCP, UDP, SCTP, ICMP or ICMPv6)");
        };
    boolean icmp = proto == Protocol.ICMP.number() || proto == Protocol.ICMPV6.number();
    if (r.getPort() > (icmp ? 255 : 65535)) {
      throw new IllegalArgumentException(
          (icmp ? "ICMP type " : "port ")
              + r.getPort()
              + " (expected: 0-"
              + (icmp ? 255 : 65535)
              + ")");
    }
    int port = icmp ? r.getPort() << 8 : r.getPort();
    End src = resolve(r.getSource(), "--src", null);
    // a pod named as destination is reached at its address of the source's family
    End dst = resolve(r.getDestination(), "--dst", src.ip().contains(":") ? 16 : 4);
    PolicyTraceResponse.Builder b =
        PolicyTraceResponse.newBuilder()
            .setSource(end(src))
            .setDestination(end(dst))
            .setProtocol(Protocol.display(proto))
            .setPort(r.getPort());
    boolean allowed = true;
    if (src.endpoint().isPresent()) {
      TraceStep s = step(src.endpoint().get(), Direction.EGRESS, dst.identity(), proto, port);
      b.addSteps(s);
      allowed &= s.getAllowed();
    }
    if (dst.endpoint().isPresent()) {
      TraceStep s = step(dst.endpoint().get(), Direction.INGRESS, src.identity(), proto, port);
      b.addSteps(s);
      allowed &= s.getAllowed();
    }
    if (src.endpoint().isEmpty() && dst.endpoint().isEmpty()) {
      throw new IllegalArgumentException(
          "neither "
              + r.getSource()
              + " nor "
              + r.getDestination()
              + " is a pod on this node: no policy applies here");
    }
    return b.setAllowed(allowed).build();
  }

  private TraceStep step(Endpoint ep, Direction d, int remote, int proto, int port) {
    var policy = agent.endpoints().policyOf(ep);
    PolicyLookup.Result res = PolicyLookup.decide(policy, remote, d, proto, port);
    boolean enforced = d == Direction.INGRESS ? policy.ingressEnforced() : policy.egressEnforced();
    TraceStep.Builder s =
        TraceStep.newBuilder()
            .setDirection(d.display())
            .setEndpointId(ep.id())
            .setEndpoint(ep.podRef())
            .setAllowed(res.allowed())
            .setEnforced(enforced);
    for (RuleOrigin o : agent.policy().engine().origins(ep.id())) {
      s.addEnforcedBy(o.toString());
    }
    res.key().ifPresent(k -> s.setEntry(k.display()));
    for (RuleRef ref : res.rules()) {
      s.addRules(ref.toString());
    }
    boolean agentEntry =
        res.rules().stream().allMatch(ref -> ref.origin().kind().equals("reserved"));
    String reason;
    if (res.defaultDeny()) {
      reason = "default deny: no rule allows identity " + remote + " here";
    } else if (!res.allowed()) {
      reason = "denied by a deny rule";
    } else if (agentEntry && !enforced) {
      reason =
          "no policy enforces "
              + d.display().toLowerCase(Locale.ROOT)
              + " on this endpoint: everything is allowed";
    } else if (agentEntry) {
      reason = "the host may always reach local endpoints (--allow-localhost always)";
    } else {
      reason = "allowed by a rule";
    }
    return s.setReason(reason).build();
  }

  private End resolve(String text, String flag, Integer family) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException(flag + " is required (NAMESPACE/POD or an IP address)");
    }
    if (!IpAddress.isValid(text)) {
      int slash = text.indexOf('/');
      String ns = slash < 0 ? "default" : text.substring(0, slash);
      String name = slash < 0 ? text : text.substring(slash + 1);
      Endpoint ep =
          agent
              .endpoints()
              .byPod(ns, name)
              .orElseThrow(
                  () -> new NotFoundException(flag + ": pod " + ns + "/" + name + " not found"));
      byte[] ip =
          family != null && family == 16 && ep.ipv6() != null
              ? ep.ipv6()
              : ep.ipv4() != null ? ep.ipv4() : ep.ipv6();
      return new End(ep.podRef(), IpAddress.format(ip), ep.identity().id(), Optional.of(ep));
    }
    byte[] ip = IpAddress.parse(text);
    for (Endpoint ep : agent.endpoints().all()) {
      if ((ep.ipv4() != null && Arrays.equals(ep.ipv4(), ip))
          || (ep.ipv6() != null && Arrays.equals(ep.ipv6(), ip))) {
        return new End(ep.podRef(), IpAddress.format(ip), ep.identity().id(), Optional.of(ep));
      }
    }
    Cidr best = null;
    int identity = 0;
    for (Map.Entry<Cidr, Integer> e : agent.endpoints().desiredIpCache().entrySet()) {
      if (e.getKey().contains(ip)
          && (best == null || e.getKey().prefixLength() > best.prefixLength())) {
        best = e.getKey();
        identity = e.getValue();
      }
    }
    return new End(IpAddress.format(ip), IpAddress.format(ip), identity, Optional.empty());
  }

  private TraceEnd end(End e) {
    TraceEnd.Builder b =
        TraceEnd.newBuilder().setName(e.name()).setIp(e.ip()).setIdentity(e.identity());
    agent
        .identities()
        .lookup(e.identity())
        .map(Identity::labels)
        .ifPresent(l -> b.addAllIdentityLabels(l.toStrings()));
    e.endpoint().ifPresent(ep -> b.setEndpointId(ep.id()));
    return b.build();
  }
}
