package io.jilium.core.labels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Kubernetes' IsQualifiedName and IsValidLabelValue (apimachinery util/validation). */
class LabelValidationTest {
  private static final String NAME_63 = "a" + "b".repeat(61) + "c";
  private static final String NAME_64 = NAME_63 + "d";
  // a valid DNS-1123 subdomain of exactly 253 characters
  private static final String PREFIX_253 =
      "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);

  static String[] validKeys() {
    return new String[] {
      "app",
      "a",
      "A",
      "9",
      "a_b",
      "a.b-c_d",
      "MyApp",
      "app.kubernetes.io/name",
      "example.com/X", // the name part may be upper case
      "io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name",
      "k8s.io/a",
      "1.2.3/x",
      NAME_63,
      "example.com/" + NAME_63,
      PREFIX_253 + "/x",
    };
  }

  @ParameterizedTest
  @MethodSource("validKeys")
  void validKeys(String key) {
    assertThat(LabelValidation.keyError(key)).as(key).isEmpty();
  }

  @ParameterizedTest(name = "\"{0}\": {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''             | name part must be non-empty",
        "a/b/c          | one '/'",
        "-x             | must start and end with an alphanumeric",
        "x-             | must start and end with an alphanumeric",
        "_x             | must start and end with an alphanumeric",
        "x.             | must start and end with an alphanumeric",
        "a b            | must consist of alphanumeric",
        "a:b            | must consist of alphanumeric",
        "Example.com/x  | prefix part must be a lowercase DNS subdomain",
        "exa_mple.com/x | prefix part must be a lowercase DNS subdomain",
        "-example.com/x | prefix part must be a lowercase DNS subdomain",
        "example..com/x | prefix part must be a lowercase DNS subdomain",
        "/x             | prefix part must be non-empty",
        "example.com/   | name part must be non-empty",
        "example.com/-x | must start and end with an alphanumeric",
      })
  void invalidKeys(String key, String reason) {
    assertThat(LabelValidation.keyError(key))
        .as(key)
        .hasValueSatisfying(e -> assertThat(e).contains(reason));
  }

  @Test
  void keyLengthLimits() {
    assertThat(LabelValidation.keyError(NAME_64))
        .hasValueSatisfying(e -> assertThat(e).contains("must be no more than 63 characters"));
    assertThat(LabelValidation.keyError("example.com/" + NAME_64))
        .hasValueSatisfying(e -> assertThat(e).contains("must be no more than 63 characters"));
    assertThat(LabelValidation.keyError(PREFIX_253 + "e/x"))
        .hasValueSatisfying(e -> assertThat(e).contains("no more than 253 characters"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "web", "A", "9", "a.b-c_d", "v1.2.3", "Prod"})
  void validValues(String value) {
    assertThat(LabelValidation.valueError(value)).as(value).isEmpty();
    assertThat(LabelValidation.valueError(NAME_63)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-a", "a-", ".a", "a_", "a b", "a/b", "a:b", "ä", "a=b"})
  void invalidValues(String value) {
    assertThat(LabelValidation.valueError(value)).as(value).isPresent();
  }

  @Test
  void valueLengthLimit() {
    assertThat(LabelValidation.valueError(NAME_64))
        .hasValueSatisfying(e -> assertThat(e).contains("must be no more than 63 characters"));
  }

  @Test
  void checkNamesTheLabel() {
    LabelValidation.check("app", "web"); // no exception
    assertThatThrownBy(() -> LabelValidation.check("a/b/c", "web"))
        .isInstanceOf(InvalidLabelException.class)
        .hasMessageStartingWith("invalid label key \"a/b/c\": ");
    assertThatThrownBy(() -> LabelValidation.check("app", "-web"))
        .isInstanceOf(InvalidLabelException.class)
        .hasMessageStartingWith("invalid label value \"-web\" for key \"app\": ");
  }

  /** The hand-written checks accept exactly what Kubernetes' regular expressions accept. */
  @org.junit.jupiter.api.Test
  void characterChecksMatchKubernetesRegularExpressions() {
    java.util.regex.Pattern label =
        java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    java.util.regex.Pattern subdomain =
        java.util.regex.Pattern.compile(
            "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    java.util.regex.Pattern name =
        java.util.regex.Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    String alphabet = "aZ09-._/ \u00e9";
    java.util.Random rnd = new java.util.Random(11);
    for (int i = 0; i < 200_000; i++) {
      StringBuilder b = new StringBuilder();
      for (int n = rnd.nextInt(7); n > 0; n--) {
        b.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
      }
      String s = b.toString();
      org.assertj.core.api.Assertions.assertThat(LabelValidation.isDns1123Label(s))
          .as("label %s", s)
          .isEqualTo(label.matcher(s).matches());
      org.assertj.core.api.Assertions.assertThat(LabelValidation.isDns1123Subdomain(s))
          .as("subdomain %s", s)
          .isEqualTo(subdomain.matcher(s).matches());
      org.assertj.core.api.Assertions.assertThat(LabelValidation.isQualifiedNamePart(s))
          .as("name %s", s)
          .isEqualTo(name.matcher(s).matches());
    }
  }
}
