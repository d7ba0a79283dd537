package io.jilium.bench;

import io.jilium.core.net.IpAddress;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The services of bench/services-bench.sh, written two ways from one topology: {@code v1} Services
 * with {@code discovery.k8s.io/v1} EndpointSlices for {@code jilium apply -f}, and the
 * iptables-restore input that kube-proxy's iptables mode writes for the same Services
 * (pkg/proxy/iptables/proxier.go, syncProxyRules).
 *
 * <p>Service {@code i} is {@code svc-NNNNN} in the given namespace with one TCP port {@code http}
 * (port -> targetPort) and {@code backends} endpoints. Service 0 is the measured one: its endpoints
 * are the real backend pods. The others' endpoints are consecutive addresses from a range where
 * nothing listens (nobody connects to them). Jilium's ClusterIP of service {@code i} is {@code
 * jilium-vip-base + i}; kube-proxy's is {@code iptables-vip-base + i}, a separate range, so both
 * can exist on one node without colliding.
 *
 * <p>Usage: {@code ServiceWorkload --services N --out DIR --measured-backends ip,ip,ip [--backends
 * 3] [--files 1] [--namespace svcbench] [--port 80] [--target-port 8080] [--jilium-vip-base
 * 10.202.0.1] [--iptables-vip-base 10.96.0.1] [--fake-backend-base 10.247.0.1] [--cluster-cidr
 * 10.246.0.0/16]}. Writes {@code DIR/services/*.yaml} ({@code --files} files), {@code
 * DIR/kube-proxy.rules} (the restore input) and {@code DIR/kube-proxy-jumps.rules} (the jumps from
 * the built-in chains that kube-proxy ensures once at start, outside its restores).
 */
public final class ServiceWorkload {
  /** kube-proxy's default masquerade mark (--iptables-masquerade-bit 14). */
  static final String MASQ_MARK = "0x4000";

  /** kube-proxy drops per-endpoint comments above this many endpoints (largeClusterMode). */
  static final int LARGE_CLUSTER_ENDPOINTS = 1000;

  /** kube-proxy's top-level chains in the filter table. */
  private static final List<String> FILTER_CHAINS =
      List.of(
          "KUBE-SERVICES",
          "KUBE-EXTERNAL-SERVICES",
          "KUBE-FORWARD",
          "KUBE-NODEPORTS",
          "KUBE-PROXY-FIREWALL");

  /** kube-proxy's top-level chains in the nat table. */
  private static final List<String> NAT_CHAINS =
      List.of("KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ");

  /** The topology: service {@code i}'s name, addresses and endpoints. */
  record Topology(
      int services,
      int backends,
      List<String> measuredBackends,
      String namespace,
      int port,
      int targetPort,
      String jiliumVipBase,
      String iptablesVipBase,
      String fakeBackendBase,
      String clusterCidr) {
    Topology {
      if (services < 1 || services > 60000) {
        throw new IllegalArgumentException("--services " + services + " (expected: 1-60000)");
      }
      if (backends < 1) {
        throw new IllegalArgumentException("--backends " + backends + " (expected: >= 1)");
      }
      if (measuredBackends.isEmpty()) {
        throw new IllegalArgumentException("--measured-backends: at least one address");
      }
    }

    String name(int i) {
      return String.format(Locale.ROOT, "svc-%05d", i);
    }

    String jiliumVip(int i) {
      return offset(jiliumVipBase, i);
    }

    String iptablesVip(int i) {
      return offset(iptablesVipBase, i);
    }

    /** The endpoint addresses of service {@code i}. */
    List<String> endpoints(int i) {
      if (i == 0) {
        return measuredBackends;
      }
      List<String> out = new ArrayList<>(backends);
      for (int j = 0; j < backends; j++) {
        out.add(offset(fakeBackendBase, (i - 1) * backends + j));
      }
      return out;
    }

    /** kube-proxy's ServicePortName string: namespace/name:port-name. */
    String servicePortName(int i) {
      return namespace + "/" + name(i) + ":http";
    }
  }

  private ServiceWorkload() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> a = BenchArgs.parse(args, List.of("services", "out", "measured-backends"));
    Topology t =
        new Topology(
            Integer.parseInt(a.get("services")),
            Integer.parseInt(a.getOrDefault("backends", "3")),
            Arrays.asList(a.get("measured-backends").split(",")),
            a.getOrDefault("namespace", "svcbench"),
            Integer.parseInt(a.getOrDefault("port", "80")),
            Integer.parseInt(a.getOrDefault("target-port", "8080")),
            a.getOrDefault("jilium-vip-base", "10.202.0.1"),
            a.getOrDefault("iptables-vip-base", "10.96.0.1"),
            a.getOrDefault("fake-backend-base", "10.247.0.1"),
            a.getOrDefault("cluster-cidr", "10.246.0.0/16"));
    int files = Integer.parseInt(a.getOrDefault("files", "1"));
    Path out = Path.of(a.get("out"));
    Path yamlDir = out.resolve("services");
    Files.createDirectories(yamlDir);
    int perFile = (t.services() + files - 1) / files;
    for (int f = 0; f * perFile < t.services(); f++) {
      Path p = yamlDir.resolve(String.format(Locale.ROOT, "part-%03d.yaml", f));
      try (BufferedWriter w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
        writeYaml(t, f * perFile, Math.min(t.services(), (f + 1) * perFile), w);
      }
    }
    try (BufferedWriter w =
        Files.newBufferedWriter(out.resolve("kube-proxy.rules"), StandardCharsets.UTF_8)) {
      writeIptables(t, w);
    }
    try (BufferedWriter w =
        Files.newBufferedWriter(out.resolve("kube-proxy-jumps.rules"), StandardCharsets.UTF_8)) {
      writeJumps(w);
    }
  }

  /** Services {@code from..to-1}, each followed by its EndpointSlice, as one YAML stream. */
  static void writeYaml(Topology t, int from, int to, Appendable w) throws IOException {
    for (int i = from; i < to; i++) {
      String name = t.name(i);
      w.append("---\napiVersion: v1\nkind: Service\n")
          .append("metadata: {name: ")
          .append(name)
          .append(", namespace: ")
          .append(t.namespace())
          .append("}\nspec:\n  clusterIP: ")
          .append(t.jiliumVip(i))
          .append("\n  ports: [{name: http, protocol: TCP, port: ")
          .append(Integer.toString(t.port()))
          .append(", targetPort: ")
          .append(Integer.toString(t.targetPort()))
          .append("}]\n");
      w.append("---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n")
          .append("metadata: {name: ")
          .append(name)
          .append("-1, namespace: ")
          .append(t.namespace())
          .append(", labels: {kubernetes.io/service-name: ")
          .append(name)
          .append("}}\naddressType: IPv4\nendpoints:\n");
      for (String ip : t.endpoints(i)) {
        w.append("- {addresses: [")
            .append(ip)
            .append("], conditions: {ready: true, serving: true, terminating: false}}\n");
      }
      w.append("ports: [{name: http, protocol: TCP, port: ")
          .append(Integer.toString(t.targetPort()))
          .append("}]\n");
    }
  }

  /**
   * What kube-proxy's iptables mode restores (iptables-restore --noflush) for the topology: the
   * filter table's top-level chains and forward rules, and the nat table with KUBE-SERVICES ->
   * KUBE-SVC-<hash> (one per service port) -> KUBE-SEP-<hash> (one per endpoint), endpoints chosen
   * with {@code -m statistic --mode random --probability 1/(n-i)}. kube-proxy writes the services
   * in Go map order, so the measured service's place in KUBE-SERVICES is random; it is written in
   * the middle here, its expected place.
   */
  static void writeIptables(Topology t, Appendable w) throws IOException {
    boolean large = t.services() * (long) t.backends() > LARGE_CLUSTER_ENDPOINTS;
    w.append("*filter\n");
    chains(w, FILTER_CHAINS);
    w.append("-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n");
    w.append("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark ")
        .append(MASQ_MARK + "/" + MASQ_MARK)
        .append(" -j ACCEPT\n");
    w.append(
        "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack"
            + " --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
    w.append("COMMIT\n*nat\n");
    chains(w, NAT_CHAINS);
    List<Integer> order = new ArrayList<>(t.services());
    for (int i = 1; i < t.services(); i++) {
      order.add(i);
    }
    order.add(order.size() / 2, 0);
    for (int i : order) {
      w.append(':').append(serviceChain(t.servicePortName(i), "tcp")).append(" - [0:0]\n");
      for (String ip : t.endpoints(i)) {
        w.append(':')
            .append(endpointChain(t.servicePortName(i), "tcp", ip + ":" + t.targetPort()))
            .append(" - [0:0]\n");
      }
    }
    w.append("-A KUBE-POSTROUTING -m mark ! --mark ")
        .append(MASQ_MARK + "/" + MASQ_MARK)
        .append(" -j RETURN\n");
    w.append("-A KUBE-POSTROUTING -j MARK --xor-mark ").append(MASQ_MARK).append('\n');
    w.append(
        "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\""
            + " -j MASQUERADE --random-fully\n");
    w.append("-A KUBE-MARK-MASQ -j MARK --or-mark ").append(MASQ_MARK).append('\n');
    for (int i : order) {
      String spn = t.servicePortName(i);
      String svc = serviceChain(spn, "tcp");
      String capture =
          " -m comment --comment \""
              + spn
              + " cluster IP\" -m tcp -p tcp -d "
              + t.iptablesVip(i)
              + " --dport "
              + t.port();
      w.append("-A KUBE-SERVICES").append(capture).append(" -j ").append(svc).append('\n');
      w.append("-A ")
          .append(svc)
          .append(capture)
          .append(" ! -s ")
          .append(t.clusterCidr())
          .append(" -j KUBE-MARK-MASQ\n");
      List<String> eps = t.endpoints(i);
      for (int j = 0; j < eps.size(); j++) {
        String ep = eps.get(j) + ":" + t.targetPort();
        w.append("-A ").append(svc);
        if (!large) {
          w.append(" -m comment --comment \"").append(spn).append(" -> ").append(ep).append('"');
        }
        if (j < eps.size() - 1) {
          w.append(" -m statistic --mode random --probability ")
              .append(probability(eps.size() - j));
        }
        w.append(" -j ").append(endpointChain(spn, "tcp", ep)).append('\n');
      }
      for (String ip : eps) {
        String ep = ip + ":" + t.targetPort();
        String sep = endpointChain(spn, "tcp", ep);
        String comment = large ? "" : " -m comment --comment " + spn;
        w.append("-A ")
            .append(sep)
            .append(comment)
            .append(" -s ")
            .append(ip)
            .append(" -j KUBE-MARK-MASQ\n");
        w.append("-A ")
            .append(sep)
            .append(comment)
            .append(" -m tcp -p tcp -j DNAT --to-destination ")
            .append(ep)
            .append('\n');
      }
    }
    w.append(
        "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be"
            + " the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n");
    w.append("COMMIT\n");
  }

  /**
   * The jumps from the built-in chains into kube-proxy's (its iptablesJumpChains, which it ensures
   * with {@code iptables -I} at start; restored here with --noflush in one go).
   */
  static void writeJumps(Appendable w) throws IOException {
    String newOnly = "-m conntrack --ctstate NEW ";
    w.append("*filter\n");
    chains(w, FILTER_CHAINS);
    jump(
        w,
        "INPUT",
        newOnly,
        "kubernetes externally-visible service portals",
        "KUBE-EXTERNAL-SERVICES");
    jump(
        w,
        "FORWARD",
        newOnly,
        "kubernetes externally-visible service portals",
        "KUBE-EXTERNAL-SERVICES");
    jump(w, "INPUT", "", "kubernetes health check service ports", "KUBE-NODEPORTS");
    jump(w, "FORWARD", newOnly, "kubernetes service portals", "KUBE-SERVICES");
    jump(w, "OUTPUT", newOnly, "kubernetes service portals", "KUBE-SERVICES");
    jump(w, "FORWARD", "", "kubernetes forwarding rules", "KUBE-FORWARD");
    jump(w, "INPUT", newOnly, "kubernetes load balancer firewall", "KUBE-PROXY-FIREWALL");
    jump(w, "OUTPUT", newOnly, "kubernetes load balancer firewall", "KUBE-PROXY-FIREWALL");
    jump(w, "FORWARD", newOnly, "kubernetes load balancer firewall", "KUBE-PROXY-FIREWALL");
    w.append("COMMIT\n*nat\n");
    chains(w, NAT_CHAINS);
    jump(w, "OUTPUT", "", "kubernetes service portals", "KUBE-SERVICES");
    jump(w, "PREROUTING", "", "kubernetes service portals", "KUBE-SERVICES");
    jump(w, "POSTROUTING", "", "kubernetes postrouting rules", "KUBE-POSTROUTING");
    w.append("COMMIT\n");
  }

  /** Chain lines: declare (or, with --noflush, flush) each chain. */
  private static void chains(Appendable w, List<String> chains) throws IOException {
    for (String c : chains) {
      w.append(':').append(c).append(" - [0:0]\n");
    }
  }

  private static void jump(Appendable w, String from, String match, String comment, String to)
      throws IOException {
    w.append("-I ")
        .append(from)
        .append(' ')
        .append(match)
        .append("-m comment --comment \"")
        .append(comment)
        .append("\" -j ")
        .append(to)
        .append('\n');
  }

  /** kube-proxy's KUBE-SVC chain of a service port: sha256, base32, 16 characters. */
  static String serviceChain(String servicePortName, String protocol) {
    return "KUBE-SVC-" + hash(servicePortName + protocol);
  }

  /** kube-proxy's KUBE-SEP chain of one endpoint ({@code ip:port}) of a service port. */
  static String endpointChain(String servicePortName, String protocol, String endpoint) {
    return "KUBE-SEP-" + hash(servicePortName + protocol + endpoint);
  }

  /** kube-proxy's probability of the first of n remaining endpoints: {@code %0.10f} of 1/n. */
  static String probability(int n) {
    return String.format(Locale.ROOT, "%.10f", 1.0 / n);
  }

  private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

  /** The first 16 characters of the standard base32 encoding of sha256(s): 80 bits. */
  private static String hash(String s) {
    byte[] d;
    try {
      d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    StringBuilder out = new StringBuilder(16);
    long bits = 0;
    int n = 0;
    for (int i = 0; out.length() < 16; i++) {
      bits = (bits << 8) | (d[i] & 0xff);
      n += 8;
      while (n >= 5 && out.length() < 16) {
        out.append(BASE32[(int) (bits >>> (n - 5)) & 31]);
        n -= 5;
      }
    }
    return out.toString();
  }

  /** The IPv4 address {@code n} after {@code base}. */
  static String offset(String base, int n) {
    byte[] b = IpAddress.parse(base);
    if (b.length != 4) {
      throw new IllegalArgumentException(base + " (expected: an IPv4 address)");
    }
    long v =
        ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
    v += n;
    return ((v >>> 24) & 0xff)
        + "."
        + ((v >>> 16) & 0xff)
        + "."
        + ((v >>> 8) & 0xff)
        + "."
        + (v & 0xff);
  }

  /** Checked wrapper for callers that write to a StringBuilder. */
  static String yaml(Topology t, int from, int to) {
    StringBuilder sb = new StringBuilder();
    try {
      writeYaml(t, from, to, sb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sb.toString();
  }
}
