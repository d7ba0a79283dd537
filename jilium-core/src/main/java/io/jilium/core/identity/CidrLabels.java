package io.jilium.core.identity;

import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import io.jilium.core.labels.Labels;
import io.jilium.core.net.Cidr;
import io.jilium.core.policy.CidrPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Labels of CIDR identities, as Cilium gives them: a prefix's identity carries {@code
 * cidr:<prefix>} for itself and for every shorter prefix containing it, plus {@code reserved:world}
 * and its family's world label. So a selector on {@code cidr:10.0.0.0/8} selects the identities of
 * every prefix inside 10.0.0.0/8, and the world entity selects them all. IPv6 prefixes are written
 * with '-' for ':' ({@code cidr:fd00--0/8}), since ':' separates sources.
 */
public final class CidrLabels {
  private CidrLabels() {}

  public static Labels of(Cidr prefix) {
    List<Label> labels = new ArrayList<>();
    for (int len = 1; len <= prefix.prefixLength(); len++) {
      labels.add(label(new Cidr(prefix.address(), len)));
    }
    labels.add(Label.reserved(ReservedIdentity.WORLD.label()));
    labels.add(Label.reserved(worldOf(prefix).label()));
    return Labels.of(labels);
  }

  /** The world identity of the prefix's family (world-ipv4 or world-ipv6). */
  public static ReservedIdentity worldOf(Cidr prefix) {
    return prefix.isIpv4() ? ReservedIdentity.WORLD_IPV4 : ReservedIdentity.WORLD_IPV6;
  }

  public static Label label(Cidr prefix) {
    return new Label(Label.SOURCE_CIDR, key(prefix), "");
  }

  static String key(Cidr prefix) {
    String text = prefix.toString();
    if (prefix.isIpv4()) {
      return text;
    }
    String s = text.replace(':', '-');
    if (s.startsWith("-")) {
      s = "0" + s;
    }
    int slash = s.indexOf('/');
    if (s.charAt(slash - 1) == '-') {
      s = s.substring(0, slash) + "0" + s.substring(slash);
    }
    return s;
  }

  /**
   * The selector of a CIDR peer over CIDR identities: the prefix's label (or the family's world
   * label for a /0) and none of the excepted prefixes' labels.
   */
  public static LabelSelector selector(CidrPeer peer) {
    List<Requirement> reqs = new ArrayList<>();
    if (peer.cidr().prefixLength() == 0) {
      reqs.add(
          new Requirement(
              Label.SOURCE_RESERVED, worldOf(peer.cidr()).label(), Operator.EXISTS, Set.of()));
    } else {
      reqs.add(new Requirement(Label.SOURCE_CIDR, key(peer.cidr()), Operator.EXISTS, Set.of()));
    }
    for (Cidr e : peer.except()) {
      reqs.add(new Requirement(Label.SOURCE_CIDR, key(e), Operator.DOES_NOT_EXIST, Set.of()));
    }
    return LabelSelector.of(reqs);
  }

  /** The prefixes a peer needs identities for: its CIDR and its excepts (a /0 is world). */
  public static List<Cidr> prefixes(CidrPeer peer) {
    List<Cidr> out = new ArrayList<>();
    if (peer.cidr().prefixLength() > 0) {
      out.add(peer.cidr());
    }
    out.addAll(peer.except());
    return out;
  }
}
