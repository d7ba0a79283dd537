package io.jilium.core.resource;

import io.jilium.core.labels.LabelValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns documents into resources, checking everything: an invalid document makes the whole manifest
 * fail with every problem listed, so nothing is applied halfway.
 */
public final class ResourceParser {
  static final Set<String> TOP_LEVEL =
      Set.of("apiVersion", "kind", "metadata", "spec", "specs", "status");
  static final Set<String> METADATA =
      Set.of(
          "name",
          "namespace",
          "labels",
          "annotations",
          "uid",
          "resourceVersion",
          "generation",
          "creationTimestamp",
          "deletionTimestamp",
          "deletionGracePeriodSeconds",
          "managedFields",
          "ownerReferences",
          "finalizers",
          "generateName",
          "selfLink");

  private ResourceParser() {}

  /** Parses every document; throws {@link ManifestException} listing all problems. */
  public static List<Resource> parseAll(List<Document> documents) {
    List<Resource> out = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Document d : documents) {
      try {
        out.add(parse(d));
      } catch (ManifestException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new ManifestException(problems);
    }
    return out;
  }

  public static Resource parse(Document doc) {
    String what = doc.where();
    try {
      Fields top = Fields.of(doc.content(), "");
      String apiVersion = top.string("apiVersion").orElse("");
      String kind = top.string("kind").orElse("");
      Optional<Fields> meta = top.object("metadata");
      String name = meta.flatMap(m -> safeString(m, "name")).orElse("");
      String ns = meta.flatMap(m -> safeString(m, "namespace")).orElse("");
      if (ns.isEmpty()
          && (kind.equals("CiliumNetworkPolicy")
              || kind.equals(KubernetesPolicyParser.KIND)
              || kind.equals(ServiceResource.KIND)
              || kind.equals(EndpointSliceResource.KIND))) {
        ns = "default"; // as the policy itself will be named
      }
      if (!kind.isEmpty()) {
        what =
            doc.where()
                + " ("
                + kind
                + (name.isEmpty() ? "" : " " + (ns.isEmpty() ? name : ns + "/" + name))
                + ")";
      }
      if (apiVersion.isEmpty()) {
        throw new FieldException("apiVersion", "required field is missing");
      }
      if (kind.isEmpty()) {
        throw new FieldException("kind", "required field is missing");
      }
      return switch (kind) {
        case "Namespace" -> {
          requireApiVersion(apiVersion, "v1");
          yield parseNamespace(top);
        }
        case KubernetesPolicyParser.KIND -> {
          requireApiVersion(apiVersion, KubernetesPolicyParser.API_VERSION);
          yield KubernetesPolicyParser.parse(top);
        }
        case "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy" -> {
          requireApiVersion(apiVersion, "cilium.io/v2");
          yield CiliumPolicyParser.parse(top, kind);
        }
        case ServiceResource.KIND -> {
          requireApiVersion(apiVersion, ServiceParser.API_VERSION);
          yield ServiceParser.parse(top);
        }
        case EndpointSliceResource.KIND -> {
          requireApiVersion(apiVersion, EndpointSliceResource.API_VERSION);
          yield EndpointSliceParser.parse(top);
        }
        default ->
            throw new FieldException(
                "kind",
                "\""
                    + kind
                    + "\" is not supported (expected: Namespace, NetworkPolicy,"
                    + " CiliumNetworkPolicy, CiliumClusterwideNetworkPolicy, Service or"
                    + " EndpointSlice)");
      };
    } catch (FieldException e) {
      throw new ManifestException(what + ": " + e.getMessage());
    }
  }

  private static Optional<String> safeString(Fields f, String field) {
    try {
      return f.string(field);
    } catch (FieldException e) {
      return Optional.empty();
    }
  }

  private static void requireApiVersion(String got, String expected) {
    if (!got.equals(expected)) {
      throw new FieldException("apiVersion", "\"" + got + "\" (expected: " + expected + ")");
    }
  }

  private static NamespaceResource parseNamespace(Fields top) {
    top.only(Set.of("apiVersion", "kind", "metadata", "spec", "status"));
    Fields meta = top.requireObject("metadata");
    String name = metadataName(meta);
    if (meta.has("namespace")) {
      throw new FieldException(
          "metadata.namespace", "a Namespace is not namespaced; remove this field");
    }
    Map<String, String> labels = labels(meta);
    return new NamespaceResource(name, labels);
  }

  static String metadataName(Fields meta) {
    meta.only(METADATA);
    String name = meta.requireString("name");
    checkDns1123Label(meta.path("name"), name);
    return name;
  }

  static void checkDns1123Label(String path, String name) {
    if (name.length() > 63 || !LabelValidation.isDns1123Label(name)) {
      throw new FieldException(
          path,
          "\""
              + name
              + "\" (expected: a DNS-1123 label: at most 63 lowercase letters, digits or '-',"
              + " starting and ending with a letter or digit)");
    }
  }

  static void checkDns1123Subdomain(String path, String name) {
    if (name.length() > 253 || !LabelValidation.isDns1123Subdomain(name)) {
      throw new FieldException(
          path,
          "\""
              + name
              + "\" (expected: a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', at"
              + " most 253 characters)");
    }
  }

  static Map<String, String> labels(Fields meta) {
    return labelMap(meta, "labels");
  }

  /** A map of label keys to values ({@code labels}, a Service's {@code selector}), validated. */
  static Map<String, String> labelMap(Fields f, String field) {
    Map<String, String> labels = f.stringMap(field);
    for (var e : labels.entrySet()) {
      LabelValidation.keyError(e.getKey())
          .ifPresent(
              err -> {
                throw new FieldException(
                    f.path(field) + "." + e.getKey(), "invalid label key: " + err);
              });
      LabelValidation.valueError(e.getValue())
          .ifPresent(
              err -> {
                throw new FieldException(
                    f.path(field) + "." + e.getKey(),
                    "invalid label value \"" + e.getValue() + "\": " + err);
              });
    }
    return labels;
  }
}
