package io.jilium.cli;

import io.jilium.api.flow.FlowFilter;
import io.jilium.api.observer.GetFlowsRequest;
import io.jilium.cli.observe.FilterFlags;
import io.jilium.cli.observe.FlowPrinter;
import io.jilium.cli.observe.FlowsRequest;
import io.jilium.cli.observe.HubbleTime;
import io.jilium.cli.rpc.RpcException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Stack;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * {@code jilium observe}: flows from the agent's Hubble Observer API, with {@code hubble observe}'s
 * flags, filter semantics and output formats.
 */
@Command(
    name = "observe",
    sortOptions = false,
    customSynopsis =
        "jilium observe [FILTER FLAGS] [--last N | --first N | --all] [-f] [--since TIME]"
            + " [--until TIME] [-o FORMAT]",
    description = {
      "Observe flows (Hubble's observe: same flags, filters and output).",
      "",
      "A flow must match every filter flag given, and one of the values of a flag given several"
          + " times. --not before a filter flag excludes the flows it matches instead."
    },
    footer = {
      "",
      "Examples:",
      "  jilium observe --last 50 --verdict DROPPED",
      "  jilium observe -f --pod default/xwing --not --protocol icmp",
      "  jilium observe --since 5m -t policy-verdict -o json",
      "  jilium observe --from-label k8s:app=web --to-port 80 --tcp-flags SYN"
    })
final class ObserveCommand extends AgentCommandBase {
  // --- selectors -------------------------------------------------------------------------------

  @Option(
      names = "--last",
      paramLabel = "N",
      description =
          "Get the last N flows stored (default: 20 when not following and without --since/--until).")
  long last;

  @Option(names = "--first", paramLabel = "N", description = "Get the first N flows stored.")
  long first;

  @Option(names = "--all", description = "Get all flows stored (use with filters).")
  boolean all;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new flows as they come (Ctrl-C to stop).")
  boolean follow;

  @Option(
      names = "--since",
      paramLabel = "TIME",
      description =
          "Flows since a time: a duration back from now (30s, 5m, 1h30m) or a time (RFC 3339 like"
              + " 2024-05-01T10:00:00Z, 2024-05-01, 2024-05-01T10Z, 2024-05-01T10:30Z, RFC 1123).")
  String since;

  @Option(
      names = "--until",
      paramLabel = "TIME",
      description = "Flows until a time (same forms as --since; ignored with --follow).")
  String until;

  // --- filters (applied in command-line order by FilterArg) ------------------------------------

  @Option(
      names = "--not",
      arity = "0",
      parameterConsumer = FilterArg.class,
      description =
          "Negate the next filter flag: flows it matches are left out, e.g. --not --verdict DROPPED.")
  boolean not;

  @Option(
      names = "--pod",
      paramLabel = "[NS/]POD",
      parameterConsumer = FilterArg.class,
      description =
          "Flows from or to a pod name prefix (without a namespace: 'default'; ns/ is the whole"
              + " namespace).")
  String pod;

  @Option(
      names = "--from-pod",
      paramLabel = "[NS/]POD",
      parameterConsumer = FilterArg.class,
      description = "Flows from a pod name prefix.")
  String fromPod;

  @Option(
      names = "--to-pod",
      paramLabel = "[NS/]POD",
      parameterConsumer = FilterArg.class,
      description = "Flows to a pod name prefix.")
  String toPod;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      parameterConsumer = FilterArg.class,
      description = "Flows from or to pods (and services) in a namespace.")
  String namespace;

  @Option(
      names = "--from-namespace",
      paramLabel = "NS",
      parameterConsumer = FilterArg.class,
      description = "Flows from a namespace.")
  String fromNamespace;

  @Option(
      names = "--to-namespace",
      paramLabel = "NS",
      parameterConsumer = FilterArg.class,
      description = "Flows to a namespace.")
  String toNamespace;

  @Option(
      names = {"-A", "--all-namespaces"},
      arity = "0",
      parameterConsumer = FilterArg.class,
      description = "Pod and service names match in any namespace.")
  boolean allNamespaces;

  @Option(
      names = "--from-all-namespaces",
      arity = "0",
      parameterConsumer = FilterArg.class,
      description = "Source pod and service names match in any namespace.")
  boolean fromAllNamespaces;

  @Option(
      names = "--to-all-namespaces",
      arity = "0",
      parameterConsumer = FilterArg.class,
      description = "Destination pod and service names match in any namespace.")
  boolean toAllNamespaces;

  @Option(
      names = {"-l", "--label"},
      paramLabel = "SELECTOR",
      parameterConsumer = FilterArg.class,
      description =
          "Flows from or to endpoints matching a label selector (k8s:app=web, app in (a,b),"
              + " !debug, reserved:world).")
  String label;

  @Option(
      names = "--from-label",
      paramLabel = "SELECTOR",
      parameterConsumer = FilterArg.class,
      description = "Flows from endpoints matching a label selector.")
  String fromLabel;

  @Option(
      names = "--to-label",
      paramLabel = "SELECTOR",
      parameterConsumer = FilterArg.class,
      description = "Flows to endpoints matching a label selector.")
  String toLabel;

  @Option(
      names = "--ip",
      paramLabel = "IP|CIDR",
      parameterConsumer = FilterArg.class,
      description = "Flows from or to an address (10.0.0.1) or a CIDR (10.0.0.0/24).")
  String ip;

  @Option(
      names = "--from-ip",
      paramLabel = "IP|CIDR",
      parameterConsumer = FilterArg.class,
      description = "Flows from an address or CIDR.")
  String fromIp;

  @Option(
      names = "--to-ip",
      paramLabel = "IP|CIDR",
      parameterConsumer = FilterArg.class,
      description = "Flows to an address or CIDR.")
  String toIp;

  @Option(
      names = {"-4", "--ipv4"},
      arity = "0",
      parameterConsumer = FilterArg.class,
      description = "IPv4 flows only.")
  boolean ipv4;

  @Option(
      names = {"-6", "--ipv6"},
      arity = "0",
      parameterConsumer = FilterArg.class,
      description = "IPv6 flows only.")
  boolean ipv6;

  @Option(
      names = "--ip-version",
      paramLabel = "none|v4|v6",
      parameterConsumer = FilterArg.class,
      description = "Flows of an IP version (none: not IP).")
  String ipVersion;

  @Option(
      names = "--fqdn",
      paramLabel = "PATTERN",
      parameterConsumer = FilterArg.class,
      description = "Flows from or to a DNS name (*.cilium.io).")
  String fqdn;

  @Option(
      names = "--from-fqdn",
      paramLabel = "PATTERN",
      parameterConsumer = FilterArg.class,
      description = "Flows from a DNS name.")
  String fromFqdn;

  @Option(
      names = "--to-fqdn",
      paramLabel = "PATTERN",
      parameterConsumer = FilterArg.class,
      description = "Flows to a DNS name.")
  String toFqdn;

  @Option(
      names = "--identity",
      paramLabel = "ID",
      parameterConsumer = FilterArg.class,
      description = "Flows from or to a security identity (a number or host, world, health, ...).")
  String identity;

  @Option(
      names = "--from-identity",
      paramLabel = "ID",
      parameterConsumer = FilterArg.class,
      description = "Flows from a security identity.")
  String fromIdentity;

  @Option(
      names = "--to-identity",
      paramLabel = "ID",
      parameterConsumer = FilterArg.class,
      description = "Flows to a security identity.")
  String toIdentity;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      parameterConsumer = FilterArg.class,
      description = "Flows with this source or destination port.")
  String port;

  @Option(
      names = "--from-port",
      paramLabel = "PORT",
      parameterConsumer = FilterArg.class,
      description = "Flows with this source port.")
  String fromPort;

  @Option(
      names = "--to-port",
      paramLabel = "PORT",
      parameterConsumer = FilterArg.class,
      description = "Flows with this destination port.")
  String toPort;

  @Option(
      names = "--protocol",
      paramLabel = "PROTO",
      parameterConsumer = FilterArg.class,
      description =
          "Flows of an L4/L7 protocol: tcp, udp, sctp, icmp, icmpv4, icmpv6, dns, http, kafka.")
  String protocol;

  @Option(
      names = "--verdict",
      paramLabel = "VERDICT",
      parameterConsumer = FilterArg.class,
      description =
          "Flows with a verdict: FORWARDED, DROPPED, AUDIT, REDIRECTED, ERROR, TRACED, TRANSLATED.")
  String verdict;

  @Option(
      names = "--drop-reason-desc",
      paramLabel = "REASON",
      parameterConsumer = FilterArg.class,
      description = "Drops with a reason (POLICY_DENIED, POLICY_DENY, ...).")
  String dropReasonDesc;

  @Option(
      names = {"-t", "--type"},
      paramLabel = "TYPE[:SUBTYPE]",
      parameterConsumer = FilterArg.class,
      description =
          "Flows of an event type: drop, trace (trace:to-endpoint, trace:from-endpoint, ...),"
              + " policy-verdict, l7, capture, trace-sock, or numbers.")
  String type;

  @Option(
      names = "--traffic-direction",
      paramLabel = "DIRECTION",
      parameterConsumer = FilterArg.class,
      description = "Flows in a direction: ingress or egress.")
  String trafficDirection;

  @Option(
      names = "--service",
      paramLabel = "[NS/]SVC",
      parameterConsumer = FilterArg.class,
      description = "Flows from or to a service name prefix.")
  String service;

  @Option(
      names = "--from-service",
      paramLabel = "[NS/]SVC",
      parameterConsumer = FilterArg.class,
      description = "Flows from a service name prefix.")
  String fromService;

  @Option(
      names = "--to-service",
      paramLabel = "[NS/]SVC",
      parameterConsumer = FilterArg.class,
      description = "Flows to a service name prefix.")
  String toService;

  @Option(
      names = "--http-method",
      paramLabel = "METHOD",
      parameterConsumer = FilterArg.class,
      description = "HTTP flows with a method (get, post, ...).")
  String httpMethod;

  @Option(
      names = "--http-path",
      paramLabel = "REGEX",
      parameterConsumer = FilterArg.class,
      description = "HTTP flows whose path matches a regular expression (/page/\\d+).")
  String httpPath;

  @Option(
      names = "--http-url",
      paramLabel = "REGEX",
      parameterConsumer = FilterArg.class,
      description = "HTTP flows whose URL matches a regular expression.")
  String httpUrl;

  @Option(
      names = "--http-status",
      paramLabel = "CODE",
      parameterConsumer = FilterArg.class,
      description = "HTTP responses with a status code (404) or prefix (5+, 40+).")
  String httpStatus;

  @Option(
      names = "--http-header",
      paramLabel = "NAME:VALUE",
      parameterConsumer = FilterArg.class,
      description = "HTTP flows with a header.")
  String httpHeader;

  @Option(
      names = "--node-name",
      paramLabel = "PATTERN",
      parameterConsumer = FilterArg.class,
      description = "Flows seen on nodes matching a pattern (k8s*, cluster/*.example.com).")
  String nodeName;

  @Option(
      names = "--tcp-flags",
      paramLabel = "FLAGS",
      parameterConsumer = FilterArg.class,
      description = "TCP flows with all these flags (syn, syn,ack, fin, rst, ...).")
  String tcpFlags;

  @Option(
      names = "--snat-ip",
      paramLabel = "IP|CIDR",
      parameterConsumer = FilterArg.class,
      description = "Flows whose source was translated (SNAT) to an address or CIDR.")
  String snatIp;

  @Option(
      names = "--trace-id",
      paramLabel = "ID",
      parameterConsumer = FilterArg.class,
      description = "Flows carrying a (W3C trace context) trace id.")
  String traceId;

  @Option(
      names = "--node-label",
      paramLabel = "SELECTOR",
      parameterConsumer = FilterArg.class,
      description = "Flows seen on nodes whose labels match a selector.")
  String nodeLabel;

  @Option(
      names = "--cluster",
      paramLabel = "PATTERN",
      parameterConsumer = FilterArg.class,
      description = "Flows seen in clusters matching a pattern.")
  String cluster;

  @Option(
      names = "--interface",
      paramLabel = "NAME",
      parameterConsumer = FilterArg.class,
      description = "Flows seen on a network interface.")
  String iface;

  @Option(
      names = "--uuid",
      paramLabel = "UUID",
      parameterConsumer = FilterArg.class,
      description = "The flow with this id.")
  String uuid;

  // --- output ----------------------------------------------------------------------------------

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "compact",
      description = "compact (default), dict, table, json (flows), jsonpb (responses, as Hubble).")
  String output;

  @Option(
      names = "--time-format",
      paramLabel = "NAME",
      defaultValue = "StampMilli",
      description =
          "StampMilli (default), YearMonthDay, YearMonthDayHour, YearMonthDayHourMinute, RFC3339,"
              + " RFC3339Milli, RFC3339Micro, RFC3339Nano, RFC1123Z (times are UTC).")
  String timeFormat;

  @Option(
      names = "--color",
      paramLabel = "WHEN",
      defaultValue = "auto",
      description = "auto (on a terminal only), always or never.")
  String color;

  @Option(names = "--print-node-name", description = "Print the node that saw each flow.")
  boolean printNodeName;

  @Option(
      names = "--print-policy-names",
      description = "Print the policies that allowed or denied policy-verdict flows.")
  boolean printPolicyNames;

  @Option(names = "--numeric", description = "Print addresses, not pod, service or DNS names.")
  boolean numeric;

  @Option(
      names = "--print-raw-filters",
      description = "Print the allowlist and denylist sent to the agent, and exit.")
  boolean printRawFilters;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help.")
  boolean help;

  /** Filter flags as given, in order: {flag, value}. */
  private final List<String[]> filterArgs = new ArrayList<>();

  private GetFlowsRequest request;
  private FlowPrinter.Options printing;

  /** Records a filter flag where it appears, so --not applies to the flag after it. */
  static final class FilterArg implements CommandLine.IParameterConsumer {
    @Override
    public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec spec) {
      OptionSpec o = (OptionSpec) argSpec;
      String value = "true";
      if (o.arity().max() > 0) {
        if (args.isEmpty()) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              "Missing required parameter for option '"
                  + o.longestName()
                  + "' ("
                  + o.paramLabel()
                  + ")",
              argSpec,
              null);
        }
        value = args.pop();
      }
      ((ObserveCommand) spec.userObject())
          .filterArgs.add(new String[] {o.longestName().substring(2), value});
    }
  }

  @Override
  protected Integer beforeConnecting() {
    prepare(Instant.now());
    if (printRawFilters) {
      out.print(rawFilters(request));
      return 0;
    }
    return null;
  }

  /** Checks every flag and builds the request and printing options. */
  void prepare(Instant now) {
    FilterFlags filters = new FilterFlags();
    try {
      for (String[] a : filterArgs) {
        filters.set(a[0], a[1]);
      }
      request =
          FlowsRequest.build(
              new FlowsRequest.Selectors(last, first, all, follow, since, until), filters, now);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage());
    }
    FlowPrinter.Format format;
    try {
      format = FlowPrinter.Format.parse(output);
    } catch (IllegalArgumentException e) {
      throw new CliException("--output " + e.getMessage());
    }
    if (format == FlowPrinter.Format.TABLE && follow) {
      throw new CliException(
          "--output table cannot be combined with --follow (a table is printed at the end; use"
              + " compact or dict)");
    }
    boolean colors =
        switch (color.toLowerCase(Locale.ROOT)) {
          case "always" -> true;
          case "never" -> false;
          case "auto" -> isTerminal();
          default ->
              throw new CliException("--color \"" + color + "\" (expected: auto, always or never)");
        };
    try {
      printing =
          new FlowPrinter.Options(
              format,
              colors,
              HubbleTime.formatter(timeFormat),
              printNodeName,
              printPolicyNames,
              numeric);
    } catch (IllegalArgumentException e) {
      throw new CliException("--time-format " + e.getMessage());
    }
  }

  GetFlowsRequest request() {
    return request;
  }

  FlowPrinter.Options printing() {
    return printing;
  }

  /** Colours only for a person at a terminal (not when piped), and never under NO_COLOR. */
  private static boolean isTerminal() {
    if (System.getenv("NO_COLOR") != null || "dumb".equals(System.getenv("TERM"))) {
      return false;
    }
    java.io.Console c = System.console();
    return c != null && c.isTerminal();
  }

  @Override
  protected int call(AgentApi agent) {
    FlowPrinter printer = new FlowPrinter(printing, out, System.err);
    try {
      agent.getFlows(
          request,
          r -> {
            printer.write(r);
            if (follow) {
              out.flush();
            }
            return true;
          });
    } catch (RpcException e) {
      if (e.code().equals("UNIMPLEMENTED")) {
        throw new CliException(
            "the agent at "
                + ((JiliumMain) spec.root().userObject()).socket()
                + " does not serve Hubble's Observer API (observer.Observer/GetFlows): "
                + e.getMessage());
      }
      throw e;
    } finally {
      printer.close();
    }
    return 0;
  }

  /** The filters as Hubble prints them for --print-raw-filters (YAML, one JSON filter per item). */
  static String rawFilters(GetFlowsRequest r) {
    FlowPrinter json =
        new FlowPrinter(
            new FlowPrinter.Options(FlowPrinter.Format.JSON, false, t -> "", false, false, false),
            System.out,
            System.err);
    StringBuilder sb = new StringBuilder();
    appendList(sb, "allowlist", r.getWhitelistList(), json);
    appendList(sb, "denylist", r.getBlacklistList(), json);
    return sb.toString();
  }

  private static void appendList(
      StringBuilder sb, String name, List<FlowFilter> filters, FlowPrinter json) {
    if (filters.isEmpty()) {
      return;
    }
    sb.append(name).append(":\n");
    for (FlowFilter f : filters) {
      sb.append("    - '").append(json.json(f).replace("'", "''")).append("'\n");
    }
  }
}
