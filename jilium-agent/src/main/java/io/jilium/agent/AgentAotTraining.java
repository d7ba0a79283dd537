package io.jilium.agent;

import io.jilium.core.resource.ManifestParser;
import java.util.List;

/**
 * The training run for the agent's AOT cache (JDK 25, {@code -XX:AOTCacheOutput}): reads manifests
 * of Services and EndpointSlices the way an apply does, so the cache holds those classes linked and
 * the profiles of their hot methods, and the agent's first large apply does not run them
 * interpreted while the JIT catches up. Only the kernel-free part of an apply is trained: the
 * launcher runs this after each build, where no agent and no datapath may be touched.
 */
final class AgentAotTraining {
  private static final int SERVICES = 2_000;
  private static final int ROUNDS = 6;

  private AgentAotTraining() {}

  /** {@code java -XX:AOTCacheOutput=FILE <the agent's flags> -cp jilium.jar} this class. */
  public static void main(String[] args) {
    train();
  }

  static void train() {
    String block = manifest(false);
    String flow = manifest(true);
    for (int i = 0; i < ROUNDS; i++) {
      ManifestParser.Parsed p =
          ManifestParser.parse(
              List.of(
                  new ManifestParser.Source("block.yaml", block),
                  new ManifestParser.Source("flow.yaml", flow)));
      if (p.resources().size() != 4 * SERVICES) {
        throw new IllegalStateException(
            "training manifests read as " + p.resources().size() + " resources");
      }
    }
  }

  /**
   * Services of the common shapes (ClusterIP with one or two ports, NodePort, with and without a
   * selector) and one EndpointSlice each, in block or in flow style.
   */
  private static String manifest(boolean flowStyle) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < SERVICES; i++) {
      String name = (flowStyle ? "f" : "b") + "-svc-" + i;
      String ip = "10.96." + (i / 250) + "." + (i % 250 + 1);
      boolean nodePort = i % 5 == 0;
      boolean twoPorts = i % 3 == 0;
      if (flowStyle) {
        b.append("---\napiVersion: v1\nkind: Service\nmetadata: {name: ")
            .append(name)
            .append(", namespace: training, labels: {app: web}}\nspec:\n  clusterIP: ")
            .append(ip)
            .append(nodePort ? "\n  type: NodePort" : "")
            .append("\n  selector: {app: web}\n  ports: [{name: http, protocol: TCP, port: 80,")
            .append(" targetPort: 8080}")
            .append(twoPorts ? ", {name: dns, protocol: UDP, port: 53, targetPort: 53}" : "")
            .append("]\n---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n")
            .append("metadata: {name: ")
            .append(name)
            .append("-1, namespace: training, labels: {kubernetes.io/service-name: ")
            .append(name)
            .append("}}\naddressType: IPv4\nendpoints:\n");
        for (int e = 0; e < 3; e++) {
          b.append("- {addresses: [10.244.")
              .append(i % 200)
              .append('.')
              .append(e + 2)
              .append("], conditions: {ready: true, serving: true, terminating: false}}\n");
        }
        b.append("ports: [{name: http, protocol: TCP, port: 8080}]\n");
      } else {
        b.append("---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ")
            .append(name)
            .append("\n  namespace: training\n  labels:\n    app: web\nspec:\n  clusterIP: '")
            .append(ip)
            .append("'\n")
            .append(nodePort ? "  type: NodePort\n" : "")
            .append("  selector:\n    app: web\n  ports:\n  - name: http\n    port: 80\n")
            .append("    targetPort: http-alt\n    protocol: TCP\n")
            .append(twoPorts ? "  - name: metrics\n    port: 9090\n    protocol: TCP\n" : "")
            .append("  sessionAffinity: None\n")
            .append("---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n")
            .append("  name: ")
            .append(name)
            .append("-abc12\n  namespace: training\n  labels:\n")
            .append("    kubernetes.io/service-name: ")
            .append(name)
            .append("\naddressType: IPv4\nendpoints:\n");
        for (int e = 0; e < 3; e++) {
          b.append("- addresses:\n  - \"10.245.")
              .append(i % 200)
              .append('.')
              .append(e + 2)
              .append("\"\n  conditions:\n    ready: true\n  nodeName: node-1\n");
        }
        b.append("ports:\n- name: http-alt\n  port: 8080\n  protocol: TCP\n");
      }
    }
    return b.toString();
  }
}
