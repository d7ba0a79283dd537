package io.jilium.agent.observer;

import io.jilium.api.flow.Flow;
import io.jilium.api.flow.FlowFilter;
import java.util.List;
import java.util.function.Predicate;

/**
 * Hubble's filter semantics (interim: verdict, event type and pod; the full set follows): a flow
 * passes when it matches any allowlist filter (or there is none) and no denylist filter.
 */
public final class FlowFilters {
  private FlowFilters() {}

  public static Predicate<Flow> compile(List<FlowFilter> whitelist, List<FlowFilter> blacklist) {
    List<Predicate<Flow>> allow = whitelist.stream().map(FlowFilters::one).toList();
    List<Predicate<Flow>> deny = blacklist.stream().map(FlowFilters::one).toList();
    return f ->
        (allow.isEmpty() || allow.stream().anyMatch(p -> p.test(f)))
            && deny.stream().noneMatch(p -> p.test(f));
  }

  private static Predicate<Flow> one(FlowFilter ff) {
    Predicate<Flow> p = f -> true;
    if (ff.getVerdictCount() > 0) {
      p = p.and(f -> ff.getVerdictList().contains(f.getVerdict()));
    }
    if (ff.getSourceIpCount() > 0) {
      p = p.and(f -> ff.getSourceIpList().contains(f.getIP().getSource()));
    }
    if (ff.getDestinationIpCount() > 0) {
      p = p.and(f -> ff.getDestinationIpList().contains(f.getIP().getDestination()));
    }
    if (ff.getSourcePodCount() > 0) {
      p = p.and(f -> ff.getSourcePodList().stream().anyMatch(s -> podMatches(s, f.getSource())));
    }
    if (ff.getDestinationPodCount() > 0) {
      p =
          p.and(
              f ->
                  ff.getDestinationPodList().stream()
                      .anyMatch(s -> podMatches(s, f.getDestination())));
    }
    return p;
  }

  private static boolean podMatches(String spec, io.jilium.api.flow.Endpoint ep) {
    String full = ep.getNamespace() + "/" + ep.getPodName();
    return spec.contains("/") ? full.startsWith(spec) : ep.getPodName().startsWith(spec);
  }
}
