package io.jilium.agent;

import io.jilium.agent.state.AgentState;
import io.jilium.agent.state.StateStore;
import io.jilium.bpf.TcAttach;
import io.jilium.bpf.netlink.Netlink;
import io.jilium.bpf.netlink.NodeDevices;
import io.jilium.bpf.netns.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code jilium agent --cleanup}: removes everything an agent with these flags created. */
final class AgentCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(AgentCleanup.class);

  private AgentCleanup() {}

  static void run(AgentConfig config) {
    Preconditions.requireRoot();
    if (Files.exists(config.socket()) && socketAlive(config.socket())) {
      throw new IllegalStateException(
          "an agent is still serving " + config.socket() + "; stop it before cleaning up");
    }
    StateStore store = new StateStore(config.stateDir());
    int pods = 0;
    try (Netlink nl = Netlink.open()) {
      var state = store.load();
      if (state.isPresent()) {
        for (AgentState.EndpointState ep : state.get().endpoints()) {
          Path netns = Path.of(ep.netns());
          if (ep.standalonePod()) {
            io.jilium.agent.endpoint.PodRuntimeAccess.killProcesses(netns);
          }
          nl.deleteLink(ep.hostIfName());
          if (ep.standalonePod() && Files.exists(netns)) {
            NetworkNamespace.delete(netns);
          }
          pods++;
        }
      }
    }
    // namespaces of this node's pods that the state no longer knows
    String prefix = "jl-" + config.nodeName() + "-";
    for (String ns : NetworkNamespace.list()) {
      if (ns.startsWith(prefix)) {
        Path p = NetworkNamespace.path(ns);
        io.jilium.agent.endpoint.PodRuntimeAccess.killProcesses(p);
        NetworkNamespace.delete(p);
      }
    }
    // socket load balancing: its links are pinned, detaching them stops the translation
    io.jilium.bpf.loader.SockDatapath.detach(config.pinDir());
    // per-packet load balancing: the devices these flags select
    if (!Agent.noDevices(config.services())) {
      try (Netlink nl = Netlink.open()) {
        for (var link : NodeDevices.scan(nl, config.services().devices()).devices()) {
          TcAttach.detach(link.index(), TcAttach.Hook.INGRESS);
          TcAttach.detach(link.index(), TcAttach.Hook.EGRESS);
        }
      }
    }
    deleteTree(config.pinDir());
    deleteTree(config.stateDir());
    try {
      Files.deleteIfExists(config.socket());
    } catch (IOException e) {
      throw new UncheckedIOException("remove " + config.socket(), e);
    }
    LOG.atInfo()
        .addKeyValue("node", config.nodeName())
        .addKeyValue("endpoints", pods)
        .log("cleaned up: pods, devices, socket hooks, pinned maps, state and socket removed");
  }

  private static boolean socketAlive(Path socket) {
    try (var ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      ch.connect(java.net.UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("remove " + root, e);
    }
  }
}
