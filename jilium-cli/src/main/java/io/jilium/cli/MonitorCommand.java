package io.jilium.cli;

import io.jilium.api.agent.v1.MonitorEvent;
import io.jilium.api.agent.v1.MonitorRequest;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jilium monitor}: drop notifications, live. */
@Command(
    name = "monitor",
    description = "Stream datapath drop notifications live, decoded (Ctrl-C to stop).")
final class MonitorCommand extends AgentCommandBase {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("MMM dd HH:mm:ss.SSS", Locale.ROOT)
          .withZone(ZoneId.systemDefault());

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text or json (one object per line).")
  String output;

  @Option(
      names = "--count",
      defaultValue = "0",
      description = "Stop after this many events (0: never).")
  long count;

  @Override
  protected int call(AgentApi agent) {
    boolean json =
        switch (output) {
          case "json", "jsonpb" -> true;
          case "text", "compact" -> false;
          default -> throw new CliException("output \"" + output + "\" (expected: text or json)");
        };
    if (!json) {
      System.err.println(
          "Listening for events on "
              + ((JiliumMain) spec.root().userObject()).socket()
              + "... Press Ctrl-C to quit");
    }
    long[] seen = {0};
    agent.monitor(
        MonitorRequest.getDefaultInstance(),
        e -> {
          if (e.getLost() > 0 && !json) {
            out.println("(" + e.getLost() + " events lost: the monitor fell behind)");
          }
          out.println(json ? Output.json(e).replaceAll("\\s*\\n\\s*", " ") : format(e));
          out.flush();
          return count <= 0 || ++seen[0] < count;
        });
    return 0;
  }

  static String format(MonitorEvent e) {
    StringBuilder sb = new StringBuilder();
    sb.append(TIME.format(Instant.ofEpochSecond(0, e.getTimeUnixNanos()))).append(": ");
    sb.append("drop (").append(e.getReasonDescription()).append(") ");
    sb.append(end(e.getSourcePod(), e.getSourceIp(), e.getSourcePort(), e.getProtocol()));
    sb.append(" (ID:").append(e.getSourceIdentity()).append(") -> ");
    sb.append(
        end(e.getDestinationPod(), e.getDestinationIp(), e.getDestinationPort(), e.getProtocol()));
    sb.append(" (ID:").append(e.getDestinationIdentity()).append(") ");
    sb.append(e.getProtocol());
    if (!e.getTcpFlags().isEmpty()) {
      sb.append(" ").append(e.getTcpFlags());
    }
    if (e.getProtocol().startsWith("ICMP")) {
      sb.append(" ").append(e.getSummary().substring(e.getSummary().lastIndexOf(' ') + 1));
    }
    sb.append(", ").append(e.getDirection());
    sb.append(", endpoint ").append(e.getSourceEndpoint());
    sb.append(", ifindex ").append(e.getIfindex());
    sb.append(", file ").append(e.getSourceFile()).append(":").append(e.getSourceLine());
    return sb.toString();
  }

  private static String end(String pod, String ip, int port, String proto) {
    String host = pod.isEmpty() ? (ip.contains(":") ? "[" + ip + "]" : ip) : pod;
    boolean ports = proto.equals("TCP") || proto.equals("UDP") || proto.equals("SCTP");
    return ports ? host + ":" + port : host;
  }
}
