package io.jilium.core.resource;

import java.util.List;

/**
 * A manifest cannot be applied. Each problem reads like {@code policy.yaml: document 2
 * (CiliumNetworkPolicy default/rule1): spec.ingress[0].toPorts[0].ports[0].port: "99999" (expected:
 * 0-65535 or a port name)}.
 */
public final class ManifestException extends RuntimeException {
  private final List<String> problems;

  public ManifestException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public ManifestException(String problem) {
    this(List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }
}
