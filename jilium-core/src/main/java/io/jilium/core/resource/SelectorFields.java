package io.jilium.core.resource;

import io.jilium.core.labels.Label;
import io.jilium.core.labels.LabelSelector;
import io.jilium.core.labels.LabelSelector.Operator;
import io.jilium.core.labels.LabelSelector.Requirement;
import io.jilium.core.labels.LabelValidation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a label selector ({@code matchLabels}, {@code matchExpressions}) with Kubernetes'
 * validation (ValidateLabelSelector): keys are qualified names, values label values, In and NotIn
 * need values, Exists and DoesNotExist take none.
 */
final class SelectorFields {
  private static final Set<String> SELECTOR_FIELDS = Set.of("matchLabels", "matchExpressions");
  private static final Set<String> EXPRESSION_FIELDS = Set.of("key", "operator", "values");

  /** How written keys become requirements. */
  private interface Keys {
    void check(String path, String key);

    Requirement requirement(String key, Operator op, Set<String> values);
  }

  /** Cilium's keys: an optional source prefix ({@code k8s:app}); without one, any source. */
  private static final Keys CILIUM =
      new Keys() {
        @Override
        public void check(String path, String key) {
          if (key.isEmpty()) {
            throw new FieldException(path, "label key must be non-empty");
          }
          int colon = key.indexOf(':');
          checkKey(path, key, colon > 0 ? key.substring(colon + 1) : key);
        }

        @Override
        public Requirement requirement(String key, Operator op, Set<String> values) {
          return LabelSelector.requirement(key, op, values);
        }
      };

  private SelectorFields() {}

  /** A selector as CiliumNetworkPolicy writes it. */
  static LabelSelector cilium(Fields f) {
    return read(f, CILIUM);
  }

  /**
   * A selector as Kubernetes writes it: plain label keys, matched as {@code k8s:<keyPrefix><key>}.
   */
  static LabelSelector kubernetes(Fields f, String keyPrefix) {
    return read(
        f,
        new Keys() {
          @Override
          public void check(String path, String key) {
            if (key.isEmpty()) {
              throw new FieldException(path, "label key must be non-empty");
            }
            checkKey(path, key, key);
          }

          @Override
          public Requirement requirement(String key, Operator op, Set<String> values) {
            return new Requirement(Label.SOURCE_K8S, keyPrefix + key, op, values);
          }
        });
  }

  private static LabelSelector read(Fields f, Keys keys) {
    f.only(SELECTOR_FIELDS);
    List<Requirement> reqs = new ArrayList<>();
    for (Map.Entry<String, String> e : f.stringMap("matchLabels").entrySet()) {
      String path = f.path("matchLabels") + "." + e.getKey();
      keys.check(path, e.getKey());
      checkValue(path, e.getValue());
      reqs.add(keys.requirement(e.getKey(), Operator.IN, Set.of(e.getValue())));
    }
    for (Fields x : f.objects("matchExpressions")) {
      x.only(EXPRESSION_FIELDS);
      String key = x.requireString("key");
      keys.check(x.path("key"), key);
      String opText = x.requireString("operator");
      Operator op;
      try {
        op = Operator.fromK8sName(opText);
      } catch (IllegalArgumentException e) {
        throw new FieldException(
            x.path("operator"), "\"" + opText + "\" (expected: In, NotIn, Exists or DoesNotExist)");
      }
      List<String> values = x.strings("values");
      if ((op == Operator.IN || op == Operator.NOT_IN) && values.isEmpty()) {
        throw new FieldException(x.path("values"), "must be non-empty for operator " + opText);
      }
      if ((op == Operator.EXISTS || op == Operator.DOES_NOT_EXIST) && !values.isEmpty()) {
        throw new FieldException(x.path("values"), "must be empty for operator " + opText);
      }
      for (int v = 0; v < values.size(); v++) {
        checkValue(x.path("values") + "[" + v + "]", values.get(v));
      }
      reqs.add(keys.requirement(key, op, new LinkedHashSet<>(values)));
    }
    return LabelSelector.of(reqs);
  }

  private static void checkKey(String path, String written, String bare) {
    LabelValidation.keyError(bare)
        .ifPresent(
            err -> {
              throw new FieldException(path, "invalid label key \"" + written + "\": " + err);
            });
  }

  private static void checkValue(String path, String value) {
    LabelValidation.valueError(value)
        .ifPresent(
            err -> {
              throw new FieldException(path, "invalid label value \"" + value + "\": " + err);
            });
  }
}
