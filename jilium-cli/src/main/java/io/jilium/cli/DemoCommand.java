package io.jilium.cli;

import com.google.protobuf.ByteString;
import io.jilium.api.agent.v1.ApplyRequest;
import io.jilium.api.agent.v1.LbBackend;
import io.jilium.api.agent.v1.LbService;
import io.jilium.api.agent.v1.Manifest;
import io.jilium.api.agent.v1.MonitorEvent;
import io.jilium.api.agent.v1.MonitorRequest;
import io.jilium.api.agent.v1.NamedPort;
import io.jilium.api.agent.v1.Pod;
import io.jilium.api.agent.v1.PodRunRequest;
import io.jilium.api.agent.v1.ServiceListRequest;
import io.jilium.api.flow.FlowFilter;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.cli.observe.FlowPrinter;
import io.jilium.cli.observe.HubbleTime;
import io.jilium.cli.rpc.RpcException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;

/**
 * {@code jilium demo}: starts a private agent, creates pods, applies a policy and shows an allowed
 * connection, a dropped one and the drop event, then removes everything again.
 */
@Command(
    name = "demo",
    description =
        "A short tour: pods, identities, a policy, an allowed and a dropped connection (root).")
final class DemoCommand implements Callable<Integer> {
  private static final String NODE = "jilium-demo";
  private static final Path SOCKET = Path.of("/var/run/jilium/demo.sock");
  private static final Path STATE = Path.of("/var/lib/jilium-demo");
  private static final String POLICY =
      """
      apiVersion: cilium.io/v2
      kind: CiliumNetworkPolicy
      metadata:
        name: allow-frontend-to-backend
        namespace: demo
      spec:
        description: "Only the frontend may talk to the backend, and only on port 8080/TCP"
        endpointSelector:
          matchLabels:
            app: backend
        ingress:
        - fromEndpoints:
          - matchLabels:
              role: frontend
          toPorts:
          - ports:
            - port: "8080"
              protocol: TCP
      """;

  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: backend
        namespace: demo
      spec:
        selector:
          app: backend
        ports:
        - port: 80
          targetPort: http
      """;

  private final PrintStream out = System.out;

  @Override
  public Integer call() throws Exception {
    List<String> agentArgs =
        List.of(
            "--node-name",
            NODE,
            "--state-dir",
            STATE.toString(),
            "--socket",
            SOCKET.toString(),
            "--pod-cidr-v4",
            "10.201.0.0/24",
            "--pod-cidr-v6",
            "fd00:10:201::/120",
            "--service-cluster-ip-range",
            "10.201.128.0/24",
            // the demo's traffic stays on the node: the machine's uplink is left alone
            "--devices",
            "none");
    step("Cleaning up what an earlier demo may have left");
    runQuietly(jilium("agent", agentArgs, "--cleanup"));
    step("Starting a Jilium agent for the demo (node " + NODE + ", socket " + SOCKET + ")");
    Process agentProcess = startAgent(agentArgs);
    try (AgentClient client = new AgentClient(SOCKET)) {
      AgentApi agent = client.api();
      try {
        return tour(agent);
      } catch (RpcException e) {
        throw client.translate(e);
      } finally {
        step("Removing the demo pods, the agent and everything it created");
        for (String p : List.of("backend", "frontend", "intruder")) {
          try {
            agent.podDelete(
                io.jilium.api.agent.v1.PodRef.newBuilder().setNamespace("demo").setName(p).build());
          } catch (RpcException ignored) {
            // not created
          }
        }
      }
    } finally {
      agentProcess.destroy();
      agentProcess.waitFor(10, TimeUnit.SECONDS);
      runQuietly(jilium("agent", agentArgs, "--cleanup"));
      out.println("Done.");
    }
  }

  private int tour(AgentApi agent) throws Exception {
    step(
        "Creating three pods in namespace demo: a backend serving 8080/TCP, a frontend and an intruder");
    Pod backend =
        agent.podRun(
            PodRunRequest.newBuilder()
                .setNamespace("demo")
                .setName("backend")
                .putLabels("app", "backend")
                .addPorts(NamedPort.newBuilder().setName("http").setPort(8080).setProtocol("TCP"))
                .addAllCommand(
                    List.of(
                        "socat",
                        "TCP6-LISTEN:8080,ipv6only=0,fork,reuseaddr",
                        "SYSTEM:echo hello from the backend"))
                .build());
    Pod frontend =
        agent.podRun(
            PodRunRequest.newBuilder()
                .setNamespace("demo")
                .setName("frontend")
                .putLabels("app", "web")
                .putLabels("role", "frontend")
                .build());
    Pod intruder =
        agent.podRun(
            PodRunRequest.newBuilder()
                .setNamespace("demo")
                .setName("intruder")
                .putLabels("app", "web")
                .putLabels("role", "guest")
                .build());
    for (Pod p : List.of(backend, frontend, intruder)) {
      out.printf(
          "  %-16s %-14s %-22s identity %d%n",
          p.getNamespace() + "/" + p.getName(), p.getIpv4(), p.getIpv6(), p.getIdentity());
    }
    waitForListener(backend);

    step("Without policy, everyone reaches the backend");
    connect(frontend, backend);
    connect(intruder, backend);

    step(
        "A Service in front of the backend: its ClusterIP is translated in the kernel at connect()");
    out.print(SERVICE.indent(4));
    agent.apply(
        ApplyRequest.newBuilder()
            .addManifests(
                Manifest.newBuilder()
                    .setSource("demo-service.yaml")
                    .setContent(ByteString.copyFromUtf8(SERVICE)))
            .build());
    String vip = "";
    for (LbService svc :
        agent.serviceList(ServiceListRequest.getDefaultInstance()).getServicesList()) {
      if (svc.getName().equals("backend") && svc.getType().equals("ClusterIP")) {
        vip = svc.getFrontend().getIp();
        List<String> backends = new ArrayList<>();
        for (LbBackend b : svc.getBackendsList()) {
          backends.add(b.getAddress().getIp() + ":" + b.getAddress().getPort());
        }
        out.printf(
            "  service demo/backend: ClusterIP %s:%d -> %s%n",
            vip, svc.getFrontend().getPort(), String.join(", ", backends));
      }
    }
    if (vip.isEmpty()) {
      throw new CliException("the demo service got no ClusterIP frontend");
    }
    tryConnect(frontend, "backend service", vip + ":80", "TCP:" + vip + ":80");

    step("Applying a CiliumNetworkPolicy: only role=frontend may reach app=backend on 8080/TCP");
    out.print(POLICY.indent(4));
    var applied =
        agent.apply(
            ApplyRequest.newBuilder()
                .addManifests(
                    Manifest.newBuilder()
                        .setSource("demo-policy.yaml")
                        .setContent(ByteString.copyFromUtf8(POLICY)))
                .build());
    out.println("  enforced in the kernel at policy revision " + applied.getPolicyRevision());

    BlockingQueue<MonitorEvent> events = new LinkedBlockingQueue<>();
    // the monitor needs its own connection: a call occupies its channel until it ends
    AgentClient monitorClient = new AgentClient(SOCKET);
    AgentApi monitorApi = monitorClient.api();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                monitorApi.monitor(MonitorRequest.getDefaultInstance(), e -> events.add(e));
              } catch (RpcException e) {
                // closed at the end of the demo
              }
            });
    try {
      step("The frontend is allowed (IPv4, IPv6 and through the service)");
      connect(frontend, backend);
      connect6(frontend, backend);
      tryConnect(frontend, "backend service", vip + ":80", "TCP:" + vip + ":80");
      step("The intruder is dropped by the datapath");
      connect(intruder, backend);
      MonitorEvent drop = events.poll(10, TimeUnit.SECONDS);
      step("The drop, as `jilium monitor` shows it");
      out.println("  " + (drop == null ? "(no drop event arrived)" : MonitorCommand.format(drop)));
      step("The flows to the backend, as `jilium observe --to-pod demo/backend` shows them");
      showFlows(agent);
      return drop == null ? 1 : 0;
    } finally {
      monitorClient.close();
    }
  }

  /** The server starts detached: wait (bounded) until its socket listens inside the pod. */
  private void waitForListener(Pod backend) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Process p =
          new ProcessBuilder(
                  "nsenter", "--net=" + backend.getNetns(), "--", "ss", "-Htln", "sport = :8080")
              .redirectErrorStream(true)
              .start();
      String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      if (s.contains("8080")) {
        return;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    throw new CliException("the demo backend did not start listening on 8080");
  }

  private void connect(Pod from, Pod to) throws Exception {
    tryConnect(from, to.getName(), to.getIpv4() + ":8080", "TCP:" + to.getIpv4() + ":8080");
  }

  private void connect6(Pod from, Pod to) throws Exception {
    tryConnect(
        from, to.getName(), "[" + to.getIpv6() + "]:8080", "TCP6:[" + to.getIpv6() + "]:8080");
  }

  private void tryConnect(Pod from, String to, String where, String address) throws Exception {
    Process p =
        new ProcessBuilder(
                "nsenter",
                "--net=" + from.getNetns(),
                "--",
                "socat",
                "-T2",
                "-",
                address + ",connect-timeout=2")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().close();
    String reply = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    boolean ok = p.waitFor() == 0 && reply.contains("hello");
    out.printf(
        "  %s -> %s (%s): %s%n",
        from.getName(),
        to,
        where,
        ok ? "ALLOWED, got \"" + reply + "\"" : "DROPPED (connection timed out)");
  }

  /** The latest flows towards the backend, in Hubble's compact format with policy names. */
  private void showFlows(AgentApi agent) {
    FlowPrinter printer =
        new FlowPrinter(
            new FlowPrinter.Options(
                FlowPrinter.Format.COMPACT,
                false,
                HubbleTime.formatter("StampMilli"),
                false,
                true,
                false),
            out,
            System.err);
    agent.getFlows(
        GetFlowsRequest.newBuilder()
            .setNumber(12)
            .addWhitelist(FlowFilter.newBuilder().addDestinationPod("demo/backend"))
            .build(),
        r -> {
          out.print("  ");
          printer.write(r);
          return true;
        });
    printer.close();
  }

  private void step(String s) {
    out.println();
    out.println("==> " + s);
  }

  private static List<String> jilium(String cmd, List<String> args, String... more) {
    List<String> argv = new ArrayList<>();
    argv.add(ProcessHandle.current().info().command().orElse("java"));
    argv.add("--enable-native-access=ALL-UNNAMED");
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(JiliumMain.class.getName());
    argv.add(cmd);
    argv.addAll(args);
    argv.addAll(List.of(more));
    return argv;
  }

  private static void runQuietly(List<String> argv) throws IOException, InterruptedException {
    new ProcessBuilder(argv)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start()
        .waitFor();
  }

  /** Starts the agent and waits until it logs that it is serving. */
  private Process startAgent(List<String> args) throws IOException, InterruptedException {
    Path log = Files.createTempFile("jilium-demo-agent", ".log");
    Process p = new ProcessBuilder(jilium("agent", args)).redirectErrorStream(true).start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder seen = new StringBuilder();
    String line;
    while ((line = r.readLine()) != null) {
      seen.append(line).append('\n');
      if (line.contains("agent started")) {
        Thread.ofVirtual().start(() -> drain(r, log));
        out.println("  agent running (pid " + p.pid() + ", log " + log + ")");
        return p;
      }
    }
    p.waitFor();
    throw new CliException("the demo agent did not start:\n" + seen);
  }

  private static void drain(BufferedReader r, Path log) {
    try (var w = Files.newBufferedWriter(log)) {
      String line;
      while ((line = r.readLine()) != null) {
        w.write(line);
        w.newLine();
        w.flush();
      }
    } catch (IOException e) {
      // the agent exited
    }
  }
}
