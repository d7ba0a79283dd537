package io.jilium.agent;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jilium.agent.endpoint.Endpoint;
import io.jilium.agent.endpoint.EndpointExistsException;
import io.jilium.agent.endpoint.EndpointManager;
import io.jilium.agent.endpoint.NotFoundException;
import io.jilium.agent.endpoint.PodRuntime;
import io.jilium.agent.monitor.MonitorHub;
import io.jilium.api.agent.v1.*;
import io.jilium.bpf.BpfFeatures;
import io.jilium.bpf.MapFullException;
import io.jilium.bpf.loader.LxcDatapath;
import io.jilium.bpf.maps.CtMap;
import io.jilium.bpf.maps.MetricsMap;
import io.jilium.bpf.maps.PolicyMap;
import io.jilium.core.flow.DropReason;
import io.jilium.core.identity.Identity;
import io.jilium.core.labels.InvalidLabelException;
import io.jilium.core.net.Cidr;
import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.PolicyKey;
import io.jilium.core.policy.Protocol;
import io.jilium.core.policy.RuleOrigin;
import io.jilium.core.policy.RuleRef;
import io.jilium.core.resource.ManifestException;
import io.jilium.core.resource.ManifestParser;
import io.jilium.core.resource.PolicyResource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gRPC API: translates requests into control-loop calls and errors into gRPC statuses. */
final class AgentService extends AgentGrpc.AgentImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(AgentService.class);

  private final Agent agent;

  AgentService(Agent agent) {
    this.agent = agent;
  }

  private <T> void unary(StreamObserver<T> out, Supplier<T> work) {
    T result;
    try {
      result = work.get();
    } catch (RuntimeException e) {
      out.onError(toStatus(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  /** A unary call whose work runs on the control loop. */
  private <T> void onLoop(StreamObserver<T> out, java.util.concurrent.Callable<T> work) {
    unary(out, () -> agent.loop().call(work));
  }

  static StatusRuntimeException toStatus(RuntimeException e) {
    Status s;
    if (e instanceof StatusRuntimeException sre) {
      return sre;
    } else if (e instanceof NotFoundException) {
      s = Status.NOT_FOUND;
    } else if (e instanceof EndpointExistsException) {
      s = Status.ALREADY_EXISTS;
    } else if (e instanceof ManifestException
        || e instanceof InvalidLabelException
        || e instanceof IllegalArgumentException) {
      s = Status.INVALID_ARGUMENT;
    } else if (e instanceof MapFullException) {
      s = Status.RESOURCE_EXHAUSTED;
    } else {
      s = Status.INTERNAL;
      LOG.atError().setCause(e).log("request failed");
    }
    return s.withDescription(e.getMessage()).asRuntimeException();
  }

  // ---- status ----

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> out) {
    unary(
        out,
        () -> {
          StatusResponse.Builder b = agent.loop().call(this::controlPlaneStatus);
          // counting kernel maps key by key takes seconds with many connections: on this
          // request's thread, never on the control loop
          kernelStatus(b);
          return b.build();
        });
  }

  private StatusResponse.Builder controlPlaneStatus() {
    AgentConfig c = agent.config();
    StatusResponse.Builder b =
        StatusResponse.newBuilder()
            .setNodeName(c.nodeName())
            .setVersion(Agent.VERSION)
            .setStateDir(c.stateDir().toString())
            .setBpfRoot(c.pinDir().toString())
            .setPodCidrV4(c.podCidrV4() == null ? "" : c.podCidrV4().toString())
            .setPodCidrV6(c.podCidrV6() == null ? "" : c.podCidrV6().toString())
            .setPolicyEnforcement(c.enforcement().flagValue())
            .setHealthy(true)
            .setEndpoints(agent.endpoints().all().size())
            .setIdentities(agent.identities().all().size())
            .setPolicies(agent.policy().all().size())
            .setPolicyRevision(agent.policy().revision())
            .setUptimeSeconds(agent.uptimeSeconds())
            .setKernelRelease(System.getProperty("os.version"))
            .setPid((int) ProcessHandle.current().pid())
            .setServices(agent.services().serviceCount())
            .setFrontends(agent.services().desired().frontends().size())
            .setLbAlgorithm(c.services().maglev() ? "maglev" : "random");
    for (BpfFeatures.Feature f : agent.features()) {
      b.addKernelFeatures(
          KernelFeature.newBuilder()
              .setName(f.name())
              .setAvailable(f.available())
              .setDetail(f.detail()));
    }
    long maxPolicy = 0;
    for (Endpoint ep : agent.endpoints().all()) {
      maxPolicy = Math.max(maxPolicy, agent.policy().engine().entryCount(ep.id()));
    }
    b.addMaps(
        MapPressure.newBuilder()
            .setName("jl_pol_* (largest)")
            .setEntries(maxPolicy)
            .setMaxEntries(PolicyMap.MAX_ENTRIES));
    return b;
  }

  private void kernelStatus(StatusResponse.Builder b) {
    LxcDatapath dp = agent.datapath();
    for (String name :
        List.of(
            "jl_endpoints",
            "jl_ipcache",
            "jl_ct4",
            "jl_ct6",
            "jl_metrics",
            "jl_lb4_services",
            "jl_lb6_services",
            "jl_lb4_backends",
            "jl_lb6_backends")) {
      var m = dp.map(name);
      b.addMaps(
          MapPressure.newBuilder()
              .setName(name)
              .setEntries(m.countEntries())
              .setMaxEntries(m.maxEntries()));
    }
    for (MetricsMap.Counter counter : dp.metrics().dump()) {
      if (counter.reason() == 0) {
        continue;
      }
      b.addDrops(
          DropCounter.newBuilder()
              .setReason(counter.reason())
              .setDescription(DropReason.describe(counter.reason()))
              .setDirection(counter.direction() == 1 ? "ingress" : "egress")
              .setPackets(counter.packets())
              .setBytes(counter.bytes()));
    }
    b.setLostEvents(dp.lostEvents());
  }

  // ---- endpoints (CNI) ----

  @Override
  public void endpointAdd(
      EndpointAddRequest r, StreamObserver<io.jilium.api.agent.v1.Endpoint> out) {
    onLoop(
        out,
        () -> {
          Endpoint ep =
              agent
                  .endpoints()
                  .add(
                      new EndpointManager.AddRequest(
                          r.getContainerId(),
                          Path.of(r.getNetns()),
                          r.getIfname().isEmpty() ? PodRuntime.POD_IFNAME : r.getIfname(),
                          r.getPodNamespace().isEmpty() ? "default" : r.getPodNamespace(),
                          r.getPodName().isEmpty() ? r.getContainerId() : r.getPodName(),
                          r.getLabelsMap(),
                          Convert.ports(r.getPortsList()),
                          false,
                          List.of(),
                          null));
          agent.persist();
          return Convert.endpoint(ep, agent.endpoints().policyOf(ep));
        });
  }

  @Override
  public void endpointDelete(EndpointDeleteRequest r, StreamObserver<EndpointDeleteResponse> out) {
    onLoop(
        out,
        () -> {
          boolean existed = agent.endpoints().delete(r.getContainerId());
          agent.persist();
          return EndpointDeleteResponse.newBuilder().setExisted(existed).build();
        });
  }

  @Override
  public void endpointList(EndpointListRequest r, StreamObserver<EndpointListResponse> out) {
    onLoop(
        out,
        () -> {
          EndpointListResponse.Builder b = EndpointListResponse.newBuilder();
          if (r.getId() != 0) {
            Endpoint ep =
                agent
                    .endpoints()
                    .byId(r.getId())
                    .orElseThrow(
                        () -> new NotFoundException("endpoint " + r.getId() + " not found"));
            return b.addEndpoints(Convert.endpoint(ep, agent.endpoints().policyOf(ep))).build();
          }
          for (Endpoint ep : agent.endpoints().all()) {
            b.addEndpoints(Convert.endpoint(ep, agent.endpoints().policyOf(ep)));
          }
          return b.build();
        });
  }

  // ---- pods ----

  @Override
  public void podRun(PodRunRequest r, StreamObserver<Pod> out) {
    onLoop(
        out,
        () -> {
          try {
            Endpoint ep =
                agent
                    .pods()
                    .run(
                        r.getNamespace(),
                        r.getName(),
                        r.getLabelsMap(),
                        Convert.ports(r.getPortsList()),
                        r.getCommandList());
            return Convert.pod(ep);
          } finally {
            agent.persist();
          }
        });
  }

  @Override
  public void podDelete(PodRef r, StreamObserver<PodDeleteResponse> out) {
    onLoop(
        out,
        () -> {
          Endpoint ep = pod(r.getNamespace(), r.getName());
          try {
            agent.pods().delete(ep);
          } finally {
            agent.persist();
          }
          return PodDeleteResponse.getDefaultInstance();
        });
  }

  @Override
  public void podList(PodListRequest r, StreamObserver<PodListResponse> out) {
    onLoop(
        out,
        () -> {
          PodListResponse.Builder b = PodListResponse.newBuilder();
          if (!r.getName().isEmpty()) {
            return b.addPods(Convert.pod(pod(r.getNamespace(), r.getName()))).build();
          }
          for (Endpoint ep : agent.endpoints().all()) {
            if (r.getNamespace().isEmpty() || r.getNamespace().equals(ep.podNamespace())) {
              b.addPods(Convert.pod(ep));
            }
          }
          return b.build();
        });
  }

  @Override
  public void podLabel(PodLabelRequest r, StreamObserver<Pod> out) {
    onLoop(
        out,
        () -> {
          Endpoint ep = pod(r.getPod().getNamespace(), r.getPod().getName());
          Map<String, String> labels = new TreeMap<>(ep.labels());
          for (var e : r.getSetMap().entrySet()) {
            String old = labels.get(e.getKey());
            if (old != null && !old.equals(e.getValue()) && !r.getOverwrite()) {
              throw new IllegalArgumentException(
                  "pod "
                      + ep.podRef()
                      + ": label \""
                      + e.getKey()
                      + "\" already has a value ("
                      + old
                      + "), and --overwrite is false");
            }
            labels.put(e.getKey(), e.getValue());
          }
          for (String k : r.getRemoveList()) {
            labels.remove(k);
          }
          agent.endpoints().relabel(ep, labels);
          agent.persist();
          return Convert.pod(ep);
        });
  }

  private Endpoint pod(String namespace, String name) {
    String ns = namespace.isEmpty() ? "default" : namespace;
    return agent
        .endpoints()
        .byPod(ns, name)
        .orElseThrow(() -> new NotFoundException("pod " + ns + "/" + name + " not found"));
  }

  // ---- resources and policy ----

  @Override
  public void apply(ApplyRequest r, StreamObserver<ApplyResponse> out) {
    unary(
        out,
        () -> {
          long t0 = System.nanoTime();
          List<ManifestParser.Source> sources = new ArrayList<>();
          for (Manifest m : r.getManifestsList()) {
            if (!m.getContent().isValidUtf8()) {
              throw new ManifestException(
                  m.getSource() + ": not UTF-8 text (save the manifest as UTF-8 and apply again)");
            }
            sources.add(new ManifestParser.Source(m.getSource(), m.getContent().toStringUtf8()));
          }
          ManifestParser.Parsed parsed = ManifestParser.parse(sources);
          if (parsed.resources().isEmpty()) {
            throw new ManifestException("no resources found in " + sources(r));
          }
          long t1 = System.nanoTime();
          Agent.ApplyResult result = agent.apply(parsed, r.getDelete());
          // how long a large apply took and where: the first thing to look at when one is slow
          LOG.info(
              "{} {} resources from {} in {} ms (parse {} ms)",
              r.getDelete() ? "deleted" : "applied",
              parsed.resources().size(),
              sources(r),
              (System.nanoTime() - t0) / 1_000_000,
              (t1 - t0) / 1_000_000);
          ApplyResponse.Builder b = ApplyResponse.newBuilder().setPolicyRevision(result.revision());
          for (String[] a : result.actions()) {
            b.addResources(
                AppliedResource.newBuilder()
                    .setKind(a[0])
                    .setNamespace(a[1])
                    .setName(a[2])
                    .setAction(a[3]));
          }
          return b.build();
        });
  }

  private static String sources(ApplyRequest r) {
    List<String> s = new ArrayList<>();
    r.getManifestsList().forEach(m -> s.add(m.getSource()));
    return String.join(", ", s);
  }

  @Override
  public void policyGet(PolicyGetRequest r, StreamObserver<PolicyGetResponse> out) {
    onLoop(
        out,
        () -> {
          PolicyGetResponse.Builder b =
              PolicyGetResponse.newBuilder().setRevision(agent.policy().revision());
          Map<RuleRef, long[]> stats = r.getStats() ? ruleStats() : Map.of();
          for (PolicyResource p : agent.policy().all()) {
            io.jilium.api.agent.v1.PolicyResource.Builder pb =
                io.jilium.api.agent.v1.PolicyResource.newBuilder()
                    .setKind(p.kind())
                    .setNamespace(p.namespace())
                    .setName(p.name())
                    .setDocumentJson(p.json())
                    .setRevision(agent.policy().revisionOf(p.origin()));
            for (Endpoint ep : agent.endpoints().all()) {
              if (agent.policy().engine().origins(ep.id()).contains(p.origin())) {
                pb.addSelectedEndpoints(ep.id());
              }
            }
            if (r.getStats()) {
              java.util.TreeSet<String> paths = new java.util.TreeSet<>();
              for (var rule : p.rules()) {
                for (var d : io.jilium.core.policy.Direction.values()) {
                  for (boolean deny : new boolean[] {false, true}) {
                    rule.rules(d, deny).forEach(pr -> paths.add(pr.path()));
                  }
                }
              }
              for (String path : paths) {
                long[] c = stats.getOrDefault(new RuleRef(p.origin(), path), new long[4]);
                pb.addRules(
                    RuleStats.newBuilder()
                        .setPath(path)
                        .setAllowedPackets(c[0])
                        .setAllowedBytes(c[1])
                        .setDeniedPackets(c[2])
                        .setDeniedBytes(c[3]));
              }
            }
            b.addPolicies(pb);
          }
          return b.build();
        });
  }

  /**
   * Packets and bytes per rule: every policy map entry's counters, credited to each rule that
   * produced the entry (allowed for allow entries, denied for deny entries).
   */
  private Map<RuleRef, long[]> ruleStats() {
    Map<RuleRef, long[]> out = new java.util.HashMap<>();
    for (Endpoint ep : agent.endpoints().all()) {
      var policy = agent.endpoints().policyOf(ep);
      for (var e : ep.policyMap().dump().entrySet()) {
        for (RuleRef ref : policy.rulesOf(e.getKey())) {
          long[] c = out.computeIfAbsent(ref, k -> new long[4]);
          int base = e.getValue().deny() ? 2 : 0;
          c[base] += e.getValue().packets();
          c[base + 1] += e.getValue().bytes();
        }
      }
    }
    return out;
  }

  @Override
  public void policyDelete(PolicyDeleteRequest r, StreamObserver<PolicyDeleteResponse> out) {
    onLoop(
        out,
        () -> {
          List<RuleOrigin> victims = new ArrayList<>();
          for (PolicyResource p : agent.policy().all()) {
            if (r.getAll()
                || (p.namespace().equals(r.getNamespace()) && p.name().equals(r.getName()))) {
              victims.add(p.origin());
            }
          }
          if (victims.isEmpty() && !r.getAll()) {
            throw new NotFoundException(
                "policy " + r.getNamespace() + "/" + r.getName() + " not found");
          }
          for (RuleOrigin o : victims) {
            agent.policy().delete(o);
          }
          agent.endpoints().syncCidrIdentities();
          agent.endpoints().flushPolicy();
          agent.persist();
          return PolicyDeleteResponse.newBuilder()
              .setDeleted(victims.size())
              .setRevision(agent.policy().revision())
              .build();
        });
  }

  @Override
  public void policyTrace(PolicyTraceRequest r, StreamObserver<PolicyTraceResponse> out) {
    onLoop(out, () -> new PolicyTracer(agent).trace(r));
  }

  @Override
  public void identityList(IdentityListRequest r, StreamObserver<IdentityListResponse> out) {
    onLoop(
        out,
        () -> {
          IdentityListResponse.Builder b = IdentityListResponse.newBuilder();
          for (Identity i : agent.identities().all()) {
            if (r.getId() != 0 && i.id() != r.getId()) {
              continue;
            }
            b.addIdentities(
                io.jilium.api.agent.v1.Identity.newBuilder()
                    .setId(i.id())
                    .addAllLabels(i.labels().toStrings())
                    .setReserved(i.isReserved())
                    .setReferences(agent.identities().references(i.id())));
          }
          if (r.getId() != 0 && b.getIdentitiesCount() == 0) {
            throw new NotFoundException("identity " + r.getId() + " not found");
          }
          return b.build();
        });
  }

  // ---- bpf views ----

  @Override
  public void bpfIpCacheList(BpfIpCacheListRequest r, StreamObserver<BpfIpCacheListResponse> out) {
    onLoop(
        out,
        () -> {
          BpfIpCacheListResponse.Builder b = BpfIpCacheListResponse.newBuilder();
          for (var e :
              new TreeMap<Cidr, io.jilium.bpf.maps.IpCacheMap.Value>(
                      agent.datapath().ipcache().dump())
                  .entrySet()) {
            byte[] tun = e.getValue().tunnelEndpoint();
            boolean noTunnel = tun[0] == 0 && tun[1] == 0 && tun[2] == 0 && tun[3] == 0;
            b.addEntries(
                IpCacheEntry.newBuilder()
                    .setPrefix(e.getKey().toString())
                    .setIdentity(e.getValue().identity())
                    .setTunnelEndpoint(noTunnel ? "" : IpAddress.format(tun))
                    .setFlags(
                        (e.getValue().flags() & io.jilium.bpf.maps.IpCacheMap.FLAG_LOCAL_ENDPOINT)
                                != 0
                            ? "local-endpoint"
                            : ""));
          }
          return b.build();
        });
  }

  @Override
  public void bpfPolicyGet(BpfPolicyGetRequest r, StreamObserver<BpfPolicyGetResponse> out) {
    onLoop(
        out,
        () -> {
          Endpoint ep =
              agent
                  .endpoints()
                  .byId(r.getEndpointId())
                  .orElseThrow(
                      () -> new NotFoundException("endpoint " + r.getEndpointId() + " not found"));
          BpfPolicyGetResponse.Builder b = BpfPolicyGetResponse.newBuilder().setEndpointId(ep.id());
          var policy = agent.endpoints().policyOf(ep);
          for (var e : ep.policyMap().dump().entrySet()) {
            PolicyKey k = e.getKey();
            PolicyMapEntry.Builder pe =
                PolicyMapEntry.newBuilder()
                    .setDirection(k.direction().display())
                    .setIdentity(k.identity())
                    .setProtocol(Protocol.display(k.protocol()))
                    .setPort(k.port())
                    .setPortPrefixLen(k.prefixLength())
                    .setVerdict(e.getValue().deny() ? "deny" : "allow")
                    .setPackets(e.getValue().packets())
                    .setBytes(e.getValue().bytes());
            agent
                .identities()
                .lookup(k.identity())
                .ifPresent(i -> pe.addAllIdentityLabels(i.labels().toStrings()));
            for (var ref : policy.rulesOf(k)) {
              pe.addDerivedFrom(ref.toString());
            }
            b.addEntries(pe);
          }
          return b.build();
        });
  }

  @Override
  public void bpfCtList(BpfCtListRequest r, StreamObserver<BpfCtListResponse> out) {
    onLoop(
        out,
        () -> {
          BpfCtListResponse.Builder b = BpfCtListResponse.newBuilder();
          long now = System.nanoTime() / 1_000_000_000L;
          List<CtMap.Entry> all = new ArrayList<>(agent.datapath().ct4().dump());
          all.addAll(agent.datapath().ct6().dump());
          for (CtMap.Entry e : all) {
            b.addEntries(
                CtEntry.newBuilder()
                    .setFamily(e.ipv6() ? "IPv6" : "IPv4")
                    .setProtocol(Protocol.display(e.protocol()))
                    .setSource(e.source())
                    .setSourcePort(e.sourcePort())
                    .setDestination(e.destination())
                    .setDestinationPort(e.destinationPort())
                    .setDirection(e.ingress() ? "ingress" : "egress")
                    .setExpiresInSeconds(Math.max(0, e.lifetimeSeconds() - now))
                    .setTxPackets(e.txPackets())
                    .setRxPackets(e.rxPackets())
                    .setFlags(Convert.ctFlags(e.flags()))
                    .setRemoteIdentity(e.sourceIdentity()));
          }
          return b.build();
        });
  }

  // ---- services ----

  @Override
  public void serviceList(ServiceListRequest r, StreamObserver<ServiceListResponse> out) {
    onLoop(
        out,
        () -> {
          ServiceListResponse.Builder b = ServiceListResponse.newBuilder();
          for (var f : agent.services().frontends()) {
            if (r.getId() == 0 || f.id() == r.getId()) {
              b.addServices(ServiceApi.service(f));
            }
          }
          if (r.getId() != 0 && b.getServicesCount() == 0) {
            throw new NotFoundException("service " + r.getId() + " not found");
          }
          return b.build();
        });
  }

  @Override
  public void bpfLbList(BpfLbListRequest r, StreamObserver<BpfLbListResponse> out) {
    // map reads: on the request's thread, never on the control loop
    unary(out, () -> ServiceApi.bpfLbList(agent.lbMaps(), r.getRevnat()));
  }

  @Override
  public void bpfLbMaglevGet(BpfLbMaglevGetRequest r, StreamObserver<BpfLbMaglevGetResponse> out) {
    unary(out, () -> ServiceApi.maglev(agent.lbMaps(), r.getServiceId()));
  }

  // ---- monitor ----

  @Override
  public void monitor(MonitorRequest r, StreamObserver<MonitorEvent> out) {
    ServerCallStreamObserver<MonitorEvent> call = (ServerCallStreamObserver<MonitorEvent>) out;
    MonitorHub hub = agent.monitor();
    MonitorHub.Subscriber sub = hub.subscribe();
    call.setOnCancelHandler(() -> hub.unsubscribe(sub));
    try {
      while (!call.isCancelled()) {
        MonitorEvent e = sub.queue().poll(500, TimeUnit.MILLISECONDS);
        if (e == null) {
          continue;
        }
        long lost = sub.takeLost();
        out.onNext(lost == 0 ? e : e.toBuilder().setLost(lost).build());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (StatusRuntimeException e) {
      // the client went away
    } finally {
      hub.unsubscribe(sub);
    }
  }
}
