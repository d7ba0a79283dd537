package io.jilium.agent.endpoint;

import io.jilium.bpf.maps.PolicyMap;
import io.jilium.bpf.netlink.MacAddress;
import io.jilium.core.identity.Identity;
import io.jilium.core.policy.NamedPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An endpoint: a network namespace wired into the datapath. Fixed facts are final; labels, identity
 * and policy change, always on the control loop.
 */
public final class Endpoint {
  final int id;
  final String containerId;
  final String podNamespace;
  final String podName;
  final Path netns;
  final String ifname;
  final String hostIfName;
  final int hostIfIndex;
  final MacAddress mac;
  final MacAddress hostMac;
  final byte[] ipv4;
  final byte[] ipv6;
  final long createdMillis;
  final boolean standalonePod;
  final List<String> command;
  final Path logFile;

  Map<String, String> labels;
  List<NamedPort> ports;
  Identity identity;
  PolicyMap policyMap;

  Endpoint(
      int id,
      String containerId,
      String podNamespace,
      String podName,
      Path netns,
      String ifname,
      String hostIfName,
      int hostIfIndex,
      MacAddress mac,
      MacAddress hostMac,
      byte[] ipv4,
      byte[] ipv6,
      long createdMillis,
      boolean standalonePod,
      List<String> command,
      Path logFile,
      Map<String, String> labels,
      List<NamedPort> ports) {
    this.id = id;
    this.containerId = containerId;
    this.podNamespace = podNamespace;
    this.podName = podName;
    this.netns = netns;
    this.ifname = ifname;
    this.hostIfName = hostIfName;
    this.hostIfIndex = hostIfIndex;
    this.mac = mac;
    this.hostMac = hostMac;
    this.ipv4 = ipv4;
    this.ipv6 = ipv6;
    this.createdMillis = createdMillis;
    this.standalonePod = standalonePod;
    this.command = List.copyOf(command);
    this.logFile = logFile;
    this.labels = Map.copyOf(labels);
    this.ports = List.copyOf(ports);
  }

  public int id() {
    return id;
  }

  public String containerId() {
    return containerId;
  }

  public String podNamespace() {
    return podNamespace;
  }

  public String podName() {
    return podName;
  }

  public String podRef() {
    return podNamespace + "/" + podName;
  }

  public Path netns() {
    return netns;
  }

  public String ifname() {
    return ifname;
  }

  public String hostIfName() {
    return hostIfName;
  }

  public int hostIfIndex() {
    return hostIfIndex;
  }

  public MacAddress mac() {
    return mac;
  }

  public MacAddress hostMac() {
    return hostMac;
  }

  public byte[] ipv4() {
    return ipv4 == null ? null : ipv4.clone();
  }

  public byte[] ipv6() {
    return ipv6 == null ? null : ipv6.clone();
  }

  public long createdMillis() {
    return createdMillis;
  }

  public boolean standalonePod() {
    return standalonePod;
  }

  public List<String> command() {
    return command;
  }

  public Path logFile() {
    return logFile;
  }

  public Map<String, String> labels() {
    return labels;
  }

  public List<NamedPort> ports() {
    return ports;
  }

  public Identity identity() {
    return identity;
  }

  public PolicyMap policyMap() {
    return policyMap;
  }
}
