package io.jilium.cli;

import com.google.protobuf.UnsafeByteOperations;
import io.jilium.api.agent.v1.AppliedResource;
import io.jilium.api.agent.v1.ApplyRequest;
import io.jilium.api.agent.v1.ApplyResponse;
import io.jilium.api.agent.v1.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jilium apply -f}: applies manifests atomically; returns once enforced in the kernel. */
@Command(
    name = "apply",
    description =
        "Apply resources (Namespace, CiliumNetworkPolicy, ...) from YAML or JSON; all or nothing.")
class ApplyCommand extends AgentCommandBase {
  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE|DIR|-",
      description = "Files, directories (*.yaml, *.yml, *.json) or - for stdin.")
  List<String> files = new ArrayList<>();

  boolean delete() {
    return false;
  }

  @Override
  protected int call(AgentApi agent) {
    ApplyRequest.Builder req = ApplyRequest.newBuilder().setDelete(delete());
    for (Manifest m : readManifests(files)) {
      req.addManifests(m);
    }
    ApplyResponse resp = agent.apply(req.build());
    // one write: System.out flushes every line, and 10,000 Services are 20,000 lines
    StringBuilder lines = new StringBuilder();
    for (AppliedResource r : resp.getResourcesList()) {
      lines
          .append(resourceName(r.getKind()))
          .append('/')
          .append(r.getName())
          .append(' ')
          .append(r.getAction())
          .append(System.lineSeparator());
    }
    out.print(lines);
    out.flush();
    return 0;
  }

  static String resourceName(String kind) {
    return switch (kind) {
      case "Namespace" -> "namespace";
      case "CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy" ->
          kind.toLowerCase(Locale.ROOT) + ".cilium.io";
      case "NetworkPolicy" -> "networkpolicy.networking.k8s.io";
      default -> kind.toLowerCase(Locale.ROOT);
    };
  }

  static List<Manifest> readManifests(List<String> files) {
    List<Manifest> out = new ArrayList<>();
    for (String f : files) {
      if (f.equals("-")) {
        try {
          out.add(
              Manifest.newBuilder()
                  .setSource("-")
                  .setContent(UnsafeByteOperations.unsafeWrap(System.in.readAllBytes()))
                  .build());
        } catch (IOException e) {
          throw new CliException("read stdin: " + e.getMessage());
        }
        continue;
      }
      Path p = Path.of(f);
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          List<Path> docs =
              s.filter(
                      x -> {
                        String n = x.getFileName().toString();
                        return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
                      })
                  .sorted()
                  .toList();
          if (docs.isEmpty()) {
            throw new CliException(f + ": no .yaml, .yml or .json files in this directory");
          }
          for (Path d : docs) {
            out.add(read(d, d.toString()));
          }
        } catch (IOException e) {
          throw new CliException(f + ": " + e.getMessage());
        }
      } else {
        out.add(read(p, f));
      }
    }
    return out;
  }

  private static Manifest read(Path p, String name) {
    if (!Files.exists(p)) {
      throw new CliException(name + ": no such file or directory");
    }
    try {
      // the array is never touched again: wrapping it saves a copy of a large manifest
      return Manifest.newBuilder()
          .setSource(name)
          .setContent(UnsafeByteOperations.unsafeWrap(Files.readAllBytes(p)))
          .build();
    } catch (IOException e) {
      throw new CliException(name + ": " + e.getMessage());
    }
  }
}
