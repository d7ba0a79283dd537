package io.jilium.agent;

import io.jilium.agent.endpoint.Endpoint;
import io.jilium.agent.endpoint.PodRuntime;
import io.jilium.api.agent.v1.NamedPort;
import io.jilium.api.agent.v1.Pod;
import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;

/** Between the agent's objects and the API's messages. */
final class Convert {
  private Convert() {}

  static List<io.jilium.core.policy.NamedPort> ports(List<NamedPort> in) {
    List<io.jilium.core.policy.NamedPort> out = new ArrayList<>();
    for (NamedPort p : in) {
      String protoText =
          p.getProtocol().isEmpty() ? "TCP" : p.getProtocol().toUpperCase(Locale.ROOT);
      Protocol proto =
          Protocol.byPolicyName(protoText)
              .filter(x -> x != Protocol.ANY)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "port "
                              + p.getName()
                              + ": protocol \""
                              + p.getProtocol()
                              + "\" (expected: TCP, UDP or SCTP)"));
      if (!p.getName().matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?")
          || p.getName().length() > 15
          || !p.getName().matches(".*[a-z].*")) {
        throw new IllegalArgumentException(
            "port name \""
                + p.getName()
                + "\" (expected: at most 15 lowercase letters, digits and '-', with a letter, as Kubernetes port names)");
      }
      out.add(new io.jilium.core.policy.NamedPort(p.getName(), p.getPort(), proto));
    }
    return out;
  }

  static List<NamedPort> ports(Endpoint ep) {
    List<NamedPort> out = new ArrayList<>();
    for (io.jilium.core.policy.NamedPort p : ep.ports()) {
      out.add(
          NamedPort.newBuilder()
              .setName(p.name())
              .setPort(p.port())
              .setProtocol(p.protocol().name())
              .build());
    }
    return out;
  }

  static io.jilium.api.agent.v1.Endpoint endpoint(
      Endpoint ep, io.jilium.core.policy.EndpointPolicy policy) {
    var b =
        io.jilium.api.agent.v1.Endpoint.newBuilder()
            .setId(ep.id())
            .setContainerId(ep.containerId())
            .setPodNamespace(ep.podNamespace())
            .setPodName(ep.podName())
            .setIpv4(ep.ipv4() == null ? "" : IpAddress.format(ep.ipv4()))
            .setIpv6(ep.ipv6() == null ? "" : IpAddress.format(ep.ipv6()))
            .setIdentity(ep.identity().id())
            .addAllIdentityLabels(ep.identity().labels().toStrings())
            .setInterfaceName(ep.hostIfName())
            .setInterfaceIndex(ep.hostIfIndex())
            .setNetns(ep.netns().toString())
            .setMac(ep.mac().toString())
            .setHostMac(ep.hostMac().toString())
            .setState("ready")
            .addAllPorts(ports(ep))
            .putAllLabels(new TreeMap<>(ep.labels()));
    if (policy != null) {
      b.setIngressEnforcement(policy.ingressEnforced() ? "enabled" : "disabled")
          .setEgressEnforcement(policy.egressEnforced() ? "enabled" : "disabled")
          .setPolicyRevision(policy.revision());
    }
    return b.build();
  }

  static Pod pod(Endpoint ep) {
    Pod.Builder b =
        Pod.newBuilder()
            .setNamespace(ep.podNamespace())
            .setName(ep.podName())
            .setIpv4(ep.ipv4() == null ? "" : IpAddress.format(ep.ipv4()))
            .setIpv6(ep.ipv6() == null ? "" : IpAddress.format(ep.ipv6()))
            .putAllLabels(new TreeMap<>(ep.labels()))
            .setEndpointId(ep.id())
            .setIdentity(ep.identity().id())
            .setNetns(ep.netns().toString())
            .addAllPorts(ports(ep))
            .addAllCommand(ep.command())
            .setInterfaceName(ep.hostIfName())
            .setCreatedUnixMillis(ep.createdMillis());
    if (ep.logFile() != null) {
      b.setLogFile(ep.logFile().toString());
    }
    b.addAllPids(PodRuntime.processesIn(ep.netns()));
    return b.build();
  }

  static String ctFlags(int flags) {
    List<String> out = new ArrayList<>();
    if ((flags & 0x1) != 0) {
      out.add("RxClosing");
    }
    if ((flags & 0x2) != 0) {
      out.add("TxClosing");
    }
    if ((flags & 0x4) != 0) {
      out.add("SeenNonSyn");
    }
    return String.join(",", out);
  }
}
