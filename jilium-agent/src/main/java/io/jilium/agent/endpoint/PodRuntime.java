package io.jilium.agent.endpoint;

import io.jilium.bpf.netns.NetworkNamespace;
import io.jilium.core.policy.NamedPort;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standalone container runtime: a pod is a named network namespace, an endpoint created through
 * the same path as CNI ADD, and optionally a process started inside the namespace, detached, with
 * its output in a log file. Runs on the control loop.
 */
public final class PodRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(PodRuntime.class);
  private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  public static final String POD_IFNAME = "eth0";

  private final String nodeName;
  private final Path logDir;
  private final EndpointManager endpoints;

  public PodRuntime(String nodeName, Path stateDir, EndpointManager endpoints) {
    this.nodeName = nodeName;
    this.logDir = stateDir.resolve("pods");
    this.endpoints = endpoints;
  }

  public Endpoint run(
      String namespace,
      String name,
      Map<String, String> labels,
      List<NamedPort> ports,
      List<String> command) {
    checkNames(namespace, name);
    if (endpoints.byPod(namespace, name).isPresent()) {
      throw new EndpointExistsException("pod " + namespace + "/" + name + " already exists");
    }
    if (!command.isEmpty()) {
      checkExecutable(command.get(0));
    }
    String netnsName = netnsName(namespace, name);
    if (NetworkNamespace.exists(netnsName)) {
      // a leftover of a pod whose deletion was interrupted: it holds nothing of ours any more
      NetworkNamespace.delete(netnsName);
    }
    Path netns = NetworkNamespace.create(netnsName);
    Path log = command.isEmpty() ? null : logDir.resolve(namespace + "_" + name + ".log");
    Endpoint ep;
    try {
      ep =
          endpoints.add(
              new EndpointManager.AddRequest(
                  netnsName,
                  netns,
                  POD_IFNAME,
                  namespace,
                  name,
                  labels,
                  ports,
                  true,
                  command,
                  log));
    } catch (RuntimeException e) {
      try {
        NetworkNamespace.delete(netns);
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    if (!command.isEmpty()) {
      try {
        start(netns, command, log);
      } catch (RuntimeException e) {
        try {
          delete(ep);
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
    }
    return ep;
  }

  /** Kills the pod's processes and removes its endpoint and namespace. */
  public void delete(Endpoint ep) {
    killProcesses(ep.netns());
    endpoints.delete(ep.containerId());
    NetworkNamespace.delete(ep.netns());
    if (ep.logFile() != null) {
      try {
        Files.deleteIfExists(ep.logFile());
      } catch (IOException e) {
        LOG.atWarn()
            .addKeyValue("file", ep.logFile())
            .log("could not remove pod log: " + e.getMessage());
      }
    }
  }

  /** The pids of processes inside {@code netns}. */
  public static List<Long> processesIn(Path netns) {
    List<Long> pids = new ArrayList<>();
    if (!Files.exists(netns)) {
      return pids;
    }
    long inode;
    try {
      inode = NetworkNamespace.inode(netns);
    } catch (RuntimeException e) {
      return pids;
    }
    String want = "net:[" + inode + "]";
    File[] procs = new File("/proc").listFiles((d, n) -> n.chars().allMatch(Character::isDigit));
    if (procs == null) {
      return pids;
    }
    for (File p : procs) {
      try {
        Path link = Files.readSymbolicLink(p.toPath().resolve("ns/net"));
        if (link.toString().equals(want)) {
          pids.add(Long.parseLong(p.getName()));
        }
      } catch (IOException | UnsupportedOperationException e) {
        // the process exited while we looked, or is a kernel thread we cannot read
      }
    }
    return pids;
  }

  static void killProcesses(Path netns) {
    for (int round = 0; round < 3; round++) {
      List<Long> pids = processesIn(netns);
      if (pids.isEmpty()) {
        return;
      }
      for (long pid : pids) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
      // no event tells us when a process that is not our child is gone: check /proc, briefly
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
      for (long pid : pids) {
        while (isRunning(pid) && System.nanoTime() < deadline) {
          java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
        if (isRunning(pid)) {
          LOG.atWarn().addKeyValue("pid", pid).log("process did not exit after SIGKILL");
        }
      }
    }
  }

  /** Alive and not a zombie (a zombie holds no namespace and waits only for its reaper). */
  private static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      int close = stat.lastIndexOf(')');
      return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  private void start(Path netns, List<String> command, Path log) {
    try {
      Files.createDirectories(logDir);
      List<String> argv =
          new ArrayList<>(List.of("nsenter", "--net=" + netns, "--", "setsid", "-f"));
      argv.addAll(command);
      ProcessBuilder pb = new ProcessBuilder(argv);
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      pb.redirectErrorStream(true);
      Process p = pb.start();
      // setsid -f forks the command off and returns at once; the command is not our child
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("starting " + command.get(0) + " in the pod timed out");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "starting "
                + command.get(0)
                + " in the pod failed (exit "
                + p.exitValue()
                + "); see "
                + log);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("start " + command.get(0) + " in " + netns, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + command.get(0), e);
    }
  }

  private static void checkExecutable(String program) {
    if (program.contains("/")) {
      if (!Files.isExecutable(Path.of(program))) {
        throw new IllegalArgumentException("command not found or not executable: " + program);
      }
      return;
    }
    String path =
        System.getenv()
            .getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return;
      }
    }
    throw new IllegalArgumentException("command not found in PATH: " + program);
  }

  static void checkNames(String namespace, String name) {
    if (namespace.isEmpty()
        || namespace.length() > 63
        || !DNS1123_LABEL.matcher(namespace).matches()) {
      throw new IllegalArgumentException(
          "namespace \""
              + namespace
              + "\" (expected: a DNS-1123 label: lowercase letters, digits and '-', at most 63)");
    }
    if (name.isEmpty() || name.length() > 253 || !DNS1123_SUBDOMAIN.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "pod name \""
              + name
              + "\" (expected: a DNS-1123 subdomain: lowercase letters, digits, '-' and '.')");
    }
  }

  /** The network namespace of a pod: {@code jl-<node>-<ns>-<name>} under /var/run/netns. */
  String netnsName(String namespace, String name) {
    String n = "jl-" + nodeName + "-" + namespace + "-" + name;
    if (n.length() > 200) {
      n = "jl-" + EndpointManager.hostIfName(nodeName + "/" + namespace + "/" + name);
    }
    return n;
  }
}
