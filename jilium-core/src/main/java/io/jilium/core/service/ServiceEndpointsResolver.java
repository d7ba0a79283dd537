package io.jilium.core.service;

import io.jilium.core.net.IpAddress;
import io.jilium.core.policy.Protocol;
import io.jilium.core.resource.EndpointSliceResource;
import io.jilium.core.resource.IpFamily;
import io.jilium.core.resource.ServiceResource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The backends of a Service, computed as Kubernetes' EndpointSlice controller computes endpoints
 * and as Cilium consumes them: the pure core of Jilium's standalone endpoints controller.
 *
 * <ul>
 *   <li>Pods of the Service's namespace whose labels contain every selector entry; pods without an
 *       address of a family, or that have finished, are left out. A Service without selector gets
 *       its backends from EndpointSlices instead ({@link #fromSlices}).
 *   <li>Conditions as {@code podToEndpoint}: serving = pod ready; terminating = being deleted;
 *       ready = publishNotReadyAddresses, or serving and not terminating.
 *   <li>A numeric targetPort is used as is; a named one is looked up per pod among its declared
 *       container ports with the same name and the service port's protocol. A pod without it is no
 *       backend of that port (but may be of the others).
 *   <li>State as Cilium reads the conditions: ready is {@link BackendState#ACTIVE}; terminating and
 *       still serving is {@link BackendState#TERMINATING} (kept for existing connections, no new
 *       ones); anything else is no backend.
 * </ul>
 */
public final class ServiceEndpointsResolver {
  private ServiceEndpointsResolver() {}

  /** A declared container port ({@code containers[].ports[]}). */
  public record ContainerPort(String name, int port, Protocol protocol) {
    public ContainerPort {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(protocol, "protocol");
    }
  }

  /**
   * What the resolver needs of a pod.
   *
   * @param ips the pod's addresses (at most one per family is used: the first)
   * @param ready the pod's Ready condition
   * @param terminating the pod is being deleted
   * @param finished the pod succeeded or failed (it never serves again)
   */
  public record Pod(
      String namespace,
      String name,
      Map<String, String> labels,
      List<String> ips,
      List<ContainerPort> ports,
      boolean ready,
      boolean terminating,
      boolean finished) {
    public Pod {
      labels = Map.copyOf(labels);
      ips = List.copyOf(ips);
      ports = List.copyOf(ports);
    }
  }

  /** A backend's state as the datapath treats it (Cilium's active and terminating). */
  public enum BackendState {
    ACTIVE,
    TERMINATING
  }

  /**
   * One backend of one service port.
   *
   * @param servicePort the service port's name (empty for a single unnamed port)
   * @param source the pod ({@code ns/name}) or EndpointSlice ({@code slice ns/name}) it came from
   * @param local whether it runs on this node (a pod always; a slice's endpoint when its {@code
   *     nodeName} is this node's name): only local backends serve a traffic policy of Local
   */
  public record Backend(
      String servicePort,
      Protocol protocol,
      IpFamily family,
      String address,
      int port,
      BackendState state,
      String source,
      boolean local) {}

  private static final Comparator<Backend> ORDER =
      Comparator.comparing(Backend::servicePort)
          .thenComparing(b -> b.protocol().ordinal())
          .thenComparing(Backend::family)
          .thenComparing(Backend::address)
          .thenComparingInt(Backend::port);

  /**
   * The backends of {@code service} among {@code pods}, for the Service's families (from its
   * allocation; each pod contributes its first address of each family). Sorted by service port,
   * family, address.
   */
  public static List<Backend> resolve(
      ServiceResource service, List<IpFamily> families, Collection<Pod> pods) {
    List<Backend> out = new ArrayList<>();
    if (service.selector().isEmpty()) {
      return out;
    }
    for (Pod pod : pods) {
      if (!pod.namespace().equals(service.namespace())
          || pod.finished()
          || !selects(service.selector(), pod.labels())) {
        continue;
      }
      boolean serving = pod.ready();
      boolean terminating = pod.terminating();
      boolean ready = service.publishNotReadyAddresses() || (serving && !terminating);
      BackendState state = state(ready, serving, terminating);
      if (state == null) {
        continue;
      }
      for (IpFamily family : families) {
        String address = firstAddress(pod.ips(), family);
        if (address == null) {
          continue;
        }
        for (ServiceResource.Port sp : service.ports()) {
          int port = targetPort(sp, pod);
          if (port > 0) {
            out.add(
                new Backend(
                    sp.name(),
                    sp.protocol(),
                    family,
                    address,
                    port,
                    state,
                    pod.namespace() + "/" + pod.name(),
                    true));
          }
        }
      }
    }
    out.sort(ORDER);
    return out;
  }

  /**
   * The backends of {@code service} from EndpointSlices labelled with its name in its namespace
   * (every address of an endpoint counts, as in Cilium). A service port takes the slice port with
   * the same name and protocol; duplicates across slices are reported once. An endpoint is local
   * when its {@code nodeName} is {@code nodeName}, as kube-proxy and Cilium decide it.
   */
  public static List<Backend> fromSlices(
      ServiceResource service, Collection<EndpointSliceResource> slices, String nodeName) {
    Set<Backend> out = new LinkedHashSet<>();
    for (EndpointSliceResource slice : slices) {
      if (!slice.namespace().equals(service.namespace())
          || !slice.serviceName().equals(service.name())) {
        continue;
      }
      for (ServiceResource.Port sp : service.ports()) {
        for (EndpointSliceResource.Port p : slice.ports()) {
          if (!p.name().equals(sp.name()) || p.protocol() != sp.protocol()) {
            continue;
          }
          for (EndpointSliceResource.Endpoint e : slice.endpoints()) {
            BackendState state = state(e.ready(), e.serving(), e.terminating());
            if (state == null) {
              continue;
            }
            for (String a : e.addresses()) {
              out.add(
                  new Backend(
                      sp.name(),
                      sp.protocol(),
                      slice.addressType(),
                      a,
                      p.port(),
                      state,
                      "slice " + slice.namespace() + "/" + slice.name(),
                      e.nodeName().equals(nodeName)));
            }
          }
        }
      }
    }
    List<Backend> sorted = new ArrayList<>(out);
    sorted.sort(ORDER);
    return sorted;
  }

  private static BackendState state(boolean ready, boolean serving, boolean terminating) {
    if (ready) {
      return BackendState.ACTIVE;
    }
    return terminating && serving ? BackendState.TERMINATING : null;
  }

  private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    for (var e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static String firstAddress(List<String> ips, IpFamily family) {
    for (String ip : ips) {
      byte[] b = IpAddress.parse(ip);
      if (family.matches(b)) {
        return IpAddress.format(b);
      }
    }
    return null;
  }

  /** The pod's port for a service port (podutil.FindPort), or 0 when it has no such named port. */
  private static int targetPort(ServiceResource.Port sp, Pod pod) {
    if (!sp.targetPort().isNamed()) {
      return sp.targetPort().number();
    }
    for (ContainerPort cp : pod.ports()) {
      if (cp.name().equals(sp.targetPort().name()) && cp.protocol() == sp.protocol()) {
        return cp.port();
      }
    }
    return 0;
  }
}
