package io.jilium.core.resource;

import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.EndpointSliceResource.Endpoint;
import io.jilium.core.resource.EndpointSliceResource.Port;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** Reads a {@code discovery.k8s.io/v1} EndpointSlice with the API's validation. */
final class EndpointSliceParser {
  private static final Set<String> TOP_LEVEL =
      Set.of("apiVersion", "kind", "metadata", "addressType", "endpoints", "ports");
  private static final Set<String> ENDPOINT_FIELDS =
      Set.of(
          "addresses",
          "conditions",
          "hostname",
          "nodeName",
          "zone",
          "targetRef",
          "hints",
          "deprecatedTopology");
  private static final Set<String> CONDITION_FIELDS = Set.of("ready", "serving", "terminating");
  private static final Set<String> TARGET_REF_FIELDS =
      Set.of("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath");
  private static final Set<String> PORT_FIELDS = Set.of("name", "port", "protocol", "appProtocol");
  private static final int MAX_ENDPOINTS = 1000;
  private static final int MAX_ADDRESSES = 100;
  private static final int MAX_PORTS = 100;

  private EndpointSliceParser() {}

  static EndpointSliceResource parse(Fields top) {
    top.only(TOP_LEVEL);
    Fields meta = top.requireObject("metadata");
    meta.only(ResourceParser.METADATA);
    String name = meta.requireString("name");
    ResourceParser.checkDns1123Subdomain(meta.path("name"), name);
    String namespace = meta.string("namespace").orElse("default");
    ResourceParser.checkDns1123Label(meta.path("namespace"), namespace);
    Map<String, String> labels = ResourceParser.labels(meta);
    String service = labels.get(EndpointSliceResource.SERVICE_NAME_LABEL);
    if (service == null || service.isEmpty()) {
      throw new FieldException(
          meta.path("labels"),
          "label "
              + EndpointSliceResource.SERVICE_NAME_LABEL
              + " is missing (expected: the name of the Service this slice serves)");
    }

    String typeText = top.requireString("addressType");
    IpFamily family =
        switch (typeText) {
          case "IPv4" -> IpFamily.IPV4;
          case "IPv6" -> IpFamily.IPV6;
          case "FQDN" ->
              throw new FieldException(
                  "addressType", "\"FQDN\" is not supported (expected: IPv4 or IPv6)");
          default ->
              throw new FieldException(
                  "addressType", "\"" + typeText + "\" (expected: IPv4 or IPv6)");
        };

    List<Fields> items = top.objects("endpoints");
    if (items.size() > MAX_ENDPOINTS) {
      throw new FieldException(
          "endpoints", items.size() + " endpoints (expected: at most " + MAX_ENDPOINTS + ")");
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (Fields e : items) {
      e.only(ENDPOINT_FIELDS);
      for (String f : List.of("hints", "deprecatedTopology")) {
        if (e.present(f)) {
          throw new FieldException(e.path(f), "not supported yet by Jilium");
        }
      }
      List<String> texts = e.strings("addresses");
      if (texts.isEmpty() || texts.size() > MAX_ADDRESSES) {
        throw new FieldException(
            e.path("addresses"), texts.size() + " addresses (expected: 1-" + MAX_ADDRESSES + ")");
      }
      List<String> addresses = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        int index = i;
        Supplier<String> path = () -> e.path("addresses") + "[" + index + "]";
        byte[] ip = ServiceParser.ip(path, texts.get(i));
        if (!family.matches(ip)) {
          throw new FieldException(
              path.get(),
              "\""
                  + texts.get(i)
                  + "\" (expected: an "
                  + family
                  + " address, as addressType says)");
        }
        addresses.add(IpAddress.format(ip));
      }
      boolean ready = true;
      Optional<Boolean> serving = Optional.empty();
      boolean terminating = false;
      Optional<Fields> cond = e.object("conditions");
      if (cond.isPresent()) {
        cond.get().only(CONDITION_FIELDS);
        // Unset ready and serving mean "unknown", which consumers read as ready.
        ready = cond.get().bool("ready").orElse(true);
        serving = cond.get().bool("serving");
        terminating = cond.get().bool("terminating").orElse(false);
      }
      String hostname = e.string("hostname").orElse("");
      if (!hostname.isEmpty()) {
        ResourceParser.checkDns1123Label(e.path("hostname"), hostname);
      }
      String nodeName = e.string("nodeName").orElse("");
      if (!nodeName.isEmpty()) {
        ResourceParser.checkDns1123Subdomain(e.path("nodeName"), nodeName);
      }
      e.string("zone");
      e.object("targetRef").ifPresent(t -> t.only(TARGET_REF_FIELDS));
      endpoints.add(
          new Endpoint(addresses, ready, serving.orElse(ready), terminating, nodeName, hostname));
    }

    List<Fields> portItems = top.objects("ports");
    if (portItems.size() > MAX_PORTS) {
      throw new FieldException(
          "ports", portItems.size() + " ports (expected: at most " + MAX_PORTS + ")");
    }
    List<Port> ports = new ArrayList<>();
    Map<String, String> names = new HashMap<>();
    for (Fields p : portItems) {
      p.only(PORT_FIELDS);
      String portName = p.string("name").orElse("");
      if (!portName.isEmpty()) {
        ResourceParser.checkDns1123Label(p.path("name"), portName);
      }
      String other = names.putIfAbsent(portName, p.path());
      if (other != null) {
        throw new FieldException(
            p.path("name"), "\"" + portName + "\" is also the name of " + other);
      }
      Protocol protocol = ServiceParser.protocol(p);
      int port =
          p.integer("port", 1, 65535, "1-65535")
              .orElseThrow(
                  () ->
                      new FieldException(
                          p.path("port"), "required field is missing (Jilium needs a port)"));
      p.string("appProtocol");
      ports.add(new Port(portName, port, protocol));
    }
    return new EndpointSliceResource(
        namespace, name, labels, service, family, endpoints, ports, CompactJson.of(top.raw()));
  }
}
