package io.jilium.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.Labels;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyRepositoryTest {
  private static final RuleOrigin A = new RuleOrigin("CiliumNetworkPolicy", "default", "a");
  private static final RuleOrigin B = new RuleOrigin("CiliumClusterwideNetworkPolicy", "", "b");
  private static final LabelSelector WEB = LabelSelector.matchLabels(Map.of("app", "web"));
  private static final LabelSelector DB = LabelSelector.matchLabels(Map.of("app", "db"));

  private static Rule rule(RuleOrigin o, LabelSelector subject, LabelSelector peer) {
    PeerRule pr = new PeerRule(0, List.of(peer), false, List.of());
    return new Rule(o, 0, subject, List.of(pr), List.of(), List.of(), List.of(pr), true, true);
  }

  @Test
  void revisionsIncreaseOnEveryChange() {
    PolicyRepository repo = new PolicyRepository();
    long r0 = repo.revision();
    long r1 = repo.replace(A, List.of(rule(A, WEB, DB)));
    long r2 = repo.replace(A, List.of(rule(A, WEB, WEB)));
    long r3 = repo.delete(A);

    assertThat(r1).isGreaterThan(r0);
    assertThat(r2).isGreaterThan(r1);
    assertThat(r3).isGreaterThan(r2);
    assertThat(repo.delete(A)).as("deleting what is absent changes nothing").isEqualTo(r3);
    repo.restoreRevision(100);
    assertThat(repo.revision()).isEqualTo(100);
    repo.restoreRevision(5);
    assertThat(repo.revision()).as("never backwards").isEqualTo(100);
  }

  @Test
  void rulesSelectingAndPeerSelectors() {
    PolicyRepository repo = new PolicyRepository();
    repo.replace(A, List.of(rule(A, WEB, DB)));
    repo.replace(B, List.of(rule(B, DB, LabelSelector.ALL)));

    assertThat(repo.rulesSelecting(Labels.of(Label.k8s("app", "web"))))
        .extracting(Rule::origin)
        .containsExactly(A);
    assertThat(repo.rulesSelecting(Labels.of(Label.k8s("app", "x")))).isEmpty();
    assertThat(repo.peerSelectors()).containsExactlyInAnyOrder(DB, LabelSelector.ALL);
    assertThat(repo.origins()).containsExactly(A, B);
    assertThat(repo.contains(B)).isTrue();
    assertThat(repo.rules(new RuleOrigin("x", "y", "z"))).isEmpty();
    assertThat(A.toString()).isEqualTo("CiliumNetworkPolicy default/a");
    assertThat(B.qualifiedName()).isEqualTo("b");
  }
}
