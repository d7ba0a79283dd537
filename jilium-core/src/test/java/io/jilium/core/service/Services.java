package io.jilium.core.service;

import io.jilium.core.resource.EndpointSliceResource;
import io.jilium.core.resource.ManifestReader;
import io.jilium.core.resource.ResourceParser;
import io.jilium.core.resource.ServiceResource;

/** Test resources from YAML, through the real parser. */
final class Services {
  private Services() {}

  static ServiceResource service(String name, String spec) {
    String yaml =
        "apiVersion: v1\nkind: Service\nmetadata: {name: "
            + name
            + ", namespace: shop}\nspec:\n  "
            + spec.replace("\n", "\n  ")
            + "\n";
    return (ServiceResource) ResourceParser.parseAll(ManifestReader.read("t.yaml", yaml)).get(0);
  }

  static EndpointSliceResource slice(String yaml) {
    return (EndpointSliceResource)
        ResourceParser.parseAll(ManifestReader.read("t.yaml", yaml)).get(0);
  }
}
