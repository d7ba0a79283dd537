package io.jilium.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A pod as {@code jilium pod run|list -o json} shows it. */
record Pod(
    String namespace,
    String name,
    String ipv4,
    String ipv6,
    Map<String, String> labels,
    int endpointId,
    int identity,
    String netns,
    String interfaceName,
    List<Long> pids) {

  static Pod of(JsonNode n) {
    Map<String, String> labels = new TreeMap<>();
    n.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
    List<Long> pids = new ArrayList<>();
    n.path("pids").forEach(p -> pids.add(p.asLong()));
    return new Pod(
        n.path("namespace").asText(),
        n.path("name").asText(),
        n.path("ipv4").asText(),
        n.path("ipv6").asText(),
        labels,
        n.path("endpointId").asInt(),
        n.path("identity").asInt(),
        n.path("netns").asText(),
        n.path("interfaceName").asText(),
        List.copyOf(pids));
  }

  /** The pod without its process list (which changes whenever something runs in it). */
  Pod withoutPids() {
    return new Pod(
        namespace, name, ipv4, ipv6, labels, endpointId, identity, netns, interfaceName, List.of());
  }

  String ref() {
    return namespace + "/" + name;
  }

  /** The pod's address in a family: 4 or 6. */
  String ip(int family) {
    return family == 6 ? ipv6 : ipv4;
  }
}
