package io.jilium.agent;

import com.google.protobuf.Timestamp;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.jilium.agent.observer.FlowDecoder;
import io.jilium.agent.observer.FlowObserver;
import io.jilium.agent.observer.FlowRing;
import io.jilium.agent.observer.HubbleMetrics;
import io.jilium.agent.observer.ObserverDirectory;
import io.jilium.agent.observer.ObserverService;
import io.jilium.agent.observer.store.FlowStore;
import io.jilium.bpf.loader.LxcDatapath;
import io.jilium.bpf.maps.MetricsMap;
import io.jilium.core.flow.DropReason;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything an agent serves for observability: the flow pipeline fed by the monitor thread, the
 * Observer gRPC service (on the agent socket, and on TCP when {@code --hubble-listen-address} is
 * set), Hubble's metrics and the agent's own metrics over HTTP. The control loop publishes the
 * directory the decoder names endpoints with.
 */
final class Observability implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Observability.class);

  private final AgentConfig config;
  private volatile ObserverDirectory directory = ObserverDirectory.EMPTY;
  private final FlowObserver observer;
  private final ObserverService service;
  private final HubbleMetrics hubbleMetrics;
  private final PrometheusRegistry agentRegistry = new PrometheusRegistry();
  private final List<HTTPServer> httpServers = new ArrayList<>();
  private Server tcpServer;
  private FlowStore store;

  Observability(AgentConfig config, String version) {
    this.config = config;
    AgentConfig.Observability o = config.observability();
    long monotonicToWall = System.currentTimeMillis() * 1_000_000L - System.nanoTime();
    this.hubbleMetrics = new HubbleMetrics(new PrometheusRegistry());
    this.observer =
        new FlowObserver(
            new FlowDecoder(() -> directory, monotonicToWall),
            new FlowRing(o.flowBufferCapacity()),
            config.nodeName(),
            hubbleMetrics);
    this.service = new ObserverService(observer, () -> directory, version);
  }

  FlowObserver observer() {
    return observer;
  }

  ObserverService service() {
    return service;
  }

  ObserverDirectory directory() {
    return directory;
  }

  void publish(ObserverDirectory d) {
    this.directory = d;
  }

  /**
   * Opens the flow store (before the monitor starts, so no flow misses it), when {@code
   * --flow-store} is set.
   */
  void openStore() {
    AgentConfig.Observability o = config.observability();
    if (o.flowStore() == null) {
      return;
    }
    store = FlowStore.open(o.flowStore(), FlowStore.Limits.forMaxBytes(o.flowStoreMaxBytes()));
    FlowStore s = store;
    observer.setSink(s::append);
    service.setHistory(
        (since, until, consumer) -> s.read(instant(since), instant(until), consumer::test));
    LOG.atInfo()
        .addKeyValue("dir", o.flowStore())
        .addKeyValue("maxBytes", o.flowStoreMaxBytes())
        .addKeyValue("segments", s.stats().segments())
        .log("flow store open");
  }

  private static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  /** Starts the TCP Observer server and the metrics servers; failures are logged, not fatal. */
  void start(LxcDatapath datapath) {
    AgentConfig.Observability o = config.observability();
    registerAgentMetrics(datapath);
    serveMetrics("--hubble-metrics-server", o.hubbleMetricsAddress(), hubbleMetrics.registry());
    serveMetrics("--prometheus-serve-addr", o.agentMetricsAddress(), agentRegistry);
    if (!o.hubbleListenAddress().isEmpty()) {
      InetSocketAddress addr = address(o.hubbleListenAddress());
      try {
        tcpServer =
            NettyServerBuilder.forAddress(addr)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .addService(service)
                .build()
                .start();
        LOG.atInfo().addKeyValue("address", o.hubbleListenAddress()).log("Hubble API on TCP");
      } catch (IOException e) {
        throw new UncheckedIOException(
            "--hubble-listen-address " + o.hubbleListenAddress() + ": cannot listen", e);
      }
    }
  }

  private void serveMetrics(String flag, String address, PrometheusRegistry registry) {
    if (address.isEmpty()) {
      return;
    }
    InetSocketAddress a = address(address);
    try {
      HTTPServer.Builder b = HTTPServer.builder().port(a.getPort()).registry(registry);
      if (!a.getHostString().isEmpty() && !a.getAddress().isAnyLocalAddress()) {
        b.hostname(a.getHostString());
      }
      httpServers.add(b.buildAndStart());
      LOG.atInfo().addKeyValue("flag", flag).addKeyValue("address", address).log("metrics served");
    } catch (IOException e) {
      // another agent on this machine may hold the port: this one keeps working without metrics
      LOG.atWarn()
          .addKeyValue("flag", flag)
          .addKeyValue("address", address)
          .log(
              "metrics not served: "
                  + e.getMessage()
                  + " (choose another address with "
                  + flag
                  + ")");
    }
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = Integer.parseInt(hostPort.substring(colon + 1));
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  /** Cilium's agent metrics, read when scraped: from the published directory and kernel maps. */
  private void registerAgentMetrics(LxcDatapath datapath) {
    GaugeWithCallback.builder()
        .name("cilium_endpoint")
        .help("Number of endpoints managed by this agent")
        .callback(cb -> cb.call(directory.endpointsById().size()))
        .register(agentRegistry);
    GaugeWithCallback.builder()
        .name("cilium_identity")
        .help("Number of identities currently allocated")
        .labelNames("type")
        .callback(
            cb -> {
              long reserved =
                  directory.identityLabels().keySet().stream().filter(i -> i < 256).count();
              long cidr =
                  directory.identityLabels().keySet().stream()
                      .filter(i -> (i & (1 << 24)) != 0)
                      .count();
              cb.call(reserved, "reserved");
              cb.call(directory.identityLabels().size() - reserved - cidr, "cluster_local");
              cb.call(cidr, "node_local");
            })
        .register(agentRegistry);
    GaugeWithCallback.builder()
        .name("cilium_policy")
        .help("Number of policies currently loaded")
        .callback(cb -> cb.call(policyCount))
        .register(agentRegistry);
    CounterWithCallback.builder()
        .name("cilium_drop_count_total")
        .help("Total dropped packets, by reason and direction (kernel counters)")
        .labelNames("reason", "direction")
        .callback(
            cb -> {
              for (MetricsMap.Counter c : datapath.metrics().dump()) {
                if (c.reason() != 0) {
                  cb.call(c.packets(), DropReason.describe(c.reason()), direction(c.direction()));
                }
              }
            })
        .register(agentRegistry);
    CounterWithCallback.builder()
        .name("cilium_drop_bytes_total")
        .help("Total dropped bytes, by reason and direction (kernel counters)")
        .labelNames("reason", "direction")
        .callback(
            cb -> {
              for (MetricsMap.Counter c : datapath.metrics().dump()) {
                if (c.reason() != 0) {
                  cb.call(c.bytes(), DropReason.describe(c.reason()), direction(c.direction()));
                }
              }
            })
        .register(agentRegistry);
    CounterWithCallback.builder()
        .name("cilium_forward_count_total")
        .help("Total forwarded packets, by direction (kernel counters)")
        .labelNames("direction")
        .callback(
            cb -> {
              for (MetricsMap.Counter c : datapath.metrics().dump()) {
                if (c.reason() == 0) {
                  cb.call(c.packets(), direction(c.direction()));
                }
              }
            })
        .register(agentRegistry);
    CounterWithCallback.builder()
        .name("jilium_datapath_lost_events_total")
        .help("Datapath notifications that did not fit into the events ring buffer")
        .callback(cb -> cb.call(datapath.lostEvents()))
        .register(agentRegistry);
    GaugeWithCallback.builder()
        .name("cilium_bpf_map_pressure")
        .help("Fill of the datapath maps the agent writes (entries / capacity)")
        .labelNames("map_name")
        .callback(cb -> mapPressure.forEach((name, v) -> cb.call(v, name)))
        .register(agentRegistry);
    regenerationSeconds =
        Histogram.builder()
            .name("cilium_policy_regeneration_time_stats_seconds")
            .help("Time to apply a policy change to every endpoint's maps")
            .classicExponentialUpperBounds(0.0005, 2, 16)
            .register(agentRegistry);
  }

  private volatile long policyCount;
  private volatile Map<String, Double> mapPressure = Map.of();
  private Histogram regenerationSeconds;

  void policies(long count) {
    policyCount = count;
  }

  void mapPressure(Map<String, Double> pressure) {
    mapPressure = Map.copyOf(pressure);
  }

  void policyRegenerated(long nanos) {
    if (regenerationSeconds != null) {
      regenerationSeconds.observe(nanos / 1e9);
    }
  }

  private static String direction(int d) {
    return d == 1 ? "INGRESS" : "EGRESS";
  }

  @Override
  public void close() {
    for (HTTPServer s : httpServers) {
      s.close();
    }
    if (tcpServer != null) {
      tcpServer.shutdownNow();
    }
    if (store != null) {
      store.close();
    }
  }
}
