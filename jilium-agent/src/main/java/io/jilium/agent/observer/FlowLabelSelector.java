package io.jilium.agent.observer;

import io.jilium.core.labels.LabelValidation;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A label selector written as Kubernetes' string syntax ({@code app=x}, {@code app in (a,b)},
 * {@code !app}, {@code tier notin (db)}, {@code k8s:app}, comma = AND), read the way Hubble reads
 * the {@code source_label}/{@code destination_label} filters: a key may carry a Cilium source
 * ({@code k8s:app} matches only labels of source k8s); a key without one matches that key from any
 * source. Keys and values follow Kubernetes' validation, the source counted as part of the key
 * ({@code k8s.app} must be a qualified name). In plain mode (node labels) keys have no source.
 */
final class FlowLabelSelector {
  private static final String ANY = "any";

  private enum Op {
    EXISTS,
    DOES_NOT_EXIST,
    EQUALS,
    NOT_EQUALS,
    IN,
    NOT_IN,
    GREATER_THAN,
    LESS_THAN
  }

  /** One requirement; {@code number} is the operand of GREATER_THAN / LESS_THAN. */
  private record Requirement(String source, String key, Op op, Set<String> values, long number) {
    boolean matches(List<FlowLabel> labels) {
      FlowLabel found = find(labels);
      return switch (op) {
        case EXISTS -> found != null;
        case DOES_NOT_EXIST -> found == null;
        case EQUALS, IN -> found != null && values.contains(found.value());
        case NOT_EQUALS, NOT_IN -> found == null || !values.contains(found.value());
        case GREATER_THAN, LESS_THAN -> {
          if (found == null) {
            yield false;
          }
          long v;
          try {
            v = Long.parseLong(found.value());
          } catch (NumberFormatException e) {
            yield false;
          }
          yield op == Op.GREATER_THAN ? v > number : v < number;
        }
      };
    }

    /** The first label with this key (and this source, unless the source is "any"). */
    private FlowLabel find(List<FlowLabel> labels) {
      for (FlowLabel l : labels) {
        if (l.key().equals(key) && (source.equals(ANY) || source.equals(l.source()))) {
          return l;
        }
      }
      return null;
    }
  }

  /** A label of a flow endpoint, parsed from {@code source:key=value} as Cilium does. */
  record FlowLabel(String source, String key, String value) {
    /**
     * {@code k8s:app=web} -> (k8s, app, web); without a source before the first {@code =}, the
     * source is "unspec"; {@code $host} is reserved:host.
     */
    static FlowLabel parse(String s) {
      String source = "unspec";
      String rest = s;
      if (s.startsWith("$")) {
        source = "reserved";
        rest = s.substring(1);
      } else {
        int colon = s.indexOf(':');
        int eq = s.indexOf('=');
        if (colon >= 0 && (eq < 0 || colon < eq)) {
          source = s.substring(0, colon);
          rest = s.substring(colon + 1);
        }
      }
      int eq = rest.indexOf('=');
      return eq < 0
          ? new FlowLabel(source, rest, "")
          : new FlowLabel(source, rest.substring(0, eq), rest.substring(eq + 1));
    }

    /** A node label {@code key=value}: no source. */
    static FlowLabel parsePlain(String s) {
      int eq = s.indexOf('=');
      return eq < 0
          ? new FlowLabel(ANY, s, "")
          : new FlowLabel(ANY, s.substring(0, eq), s.substring(eq + 1));
    }

    static List<FlowLabel> parseAll(List<String> labels, boolean plain) {
      List<FlowLabel> out = new ArrayList<>(labels.size());
      for (String l : labels) {
        out.add(plain ? parsePlain(l) : parse(l));
      }
      return out;
    }
  }

  private final List<Requirement> requirements;

  private FlowLabelSelector(List<Requirement> requirements) {
    this.requirements = List.copyOf(requirements);
  }

  /** True when every requirement holds (an empty selector matches everything). */
  boolean matches(List<FlowLabel> labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Parses a selector; {@code ciliumSources} reads {@code source:key} keys (flow endpoints), plain
   * mode takes keys as they are (node labels).
   *
   * @throws IllegalArgumentException with the reason, e.g. {@code found ')', expected: identifier}
   */
  static FlowLabelSelector parse(String text, boolean ciliumSources) {
    return new Parser(text, ciliumSources).parse();
  }

  private enum T {
    IDENTIFIER,
    IN,
    NOT_IN,
    EQUALS,
    DOUBLE_EQUALS,
    NOT_EQUALS,
    DOES_NOT_EXIST,
    GREATER_THAN,
    LESS_THAN,
    OPEN_PAR,
    CLOSED_PAR,
    COMMA,
    END
  }

  private record Token(T type, String text) {
    /** In value position the keywords are plain identifiers. */
    Token asValue() {
      return type == T.IN || type == T.NOT_IN ? new Token(T.IDENTIFIER, text) : this;
    }

    String shown() {
      return type == T.END ? "end of string" : text;
    }
  }

  /** Kubernetes' selector grammar (apimachinery labels.Parse), token for token. */
  private static final class Parser {
    private final List<Token> tokens = new ArrayList<>();
    private final boolean ciliumSources;
    private int pos;

    Parser(String text, boolean ciliumSources) {
      this.ciliumSources = ciliumSources;
      lex(text);
    }

    private static boolean isSpecial(char c) {
      return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
    }

    private void lex(String s) {
      int i = 0;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (isSpecial(c)) {
          String two = i + 1 < s.length() ? s.substring(i, i + 2) : "";
          if (two.equals("!=") || two.equals("==")) {
            tokens.add(new Token(two.equals("!=") ? T.NOT_EQUALS : T.DOUBLE_EQUALS, two));
            i += 2;
            continue;
          }
          T t =
              switch (c) {
                case '=' -> T.EQUALS;
                case '!' -> T.DOES_NOT_EXIST;
                case '(' -> T.OPEN_PAR;
                case ')' -> T.CLOSED_PAR;
                case ',' -> T.COMMA;
                case '>' -> T.GREATER_THAN;
                default -> T.LESS_THAN;
              };
          tokens.add(new Token(t, String.valueOf(c)));
          i++;
        } else {
          int start = i;
          while (i < s.length()
              && !Character.isWhitespace(s.charAt(i))
              && !isSpecial(s.charAt(i))) {
            i++;
          }
          String word = s.substring(start, i);
          T t =
              switch (word) {
                case "in" -> T.IN;
                case "notin" -> T.NOT_IN;
                default -> T.IDENTIFIER;
              };
          tokens.add(new Token(t, word));
        }
      }
      tokens.add(new Token(T.END, ""));
    }

    private Token peek() {
      return tokens.get(pos).asValue();
    }

    private Token next() {
      return nextRaw().asValue();
    }

    /** Only the operator position reads "in" and "notin" as keywords. */
    private Token nextRaw() {
      Token t = tokens.get(pos);
      if (t.type() != T.END) {
        pos++;
      }
      return t;
    }

    FlowLabelSelector parse() {
      List<Requirement> reqs = new ArrayList<>();
      while (true) {
        Token t = peek();
        switch (t.type()) {
          case IDENTIFIER, DOES_NOT_EXIST -> {
            reqs.add(requirement());
            Token after = next();
            if (after.type() == T.END) {
              return new FlowLabelSelector(reqs);
            }
            if (after.type() != T.COMMA) {
              throw fail("found '" + after.shown() + "', expected: ',' or 'end of string'");
            }
            Token following = peek();
            if (following.type() != T.IDENTIFIER && following.type() != T.DOES_NOT_EXIST) {
              throw fail("found '" + following.shown() + "', expected: identifier after ','");
            }
          }
          case END -> {
            return new FlowLabelSelector(reqs);
          }
          default ->
              throw fail("found '" + t.shown() + "', expected: !, identifier, or 'end of string'");
        }
      }
    }

    private Requirement requirement() {
      boolean negated = false;
      Token t = next();
      if (t.type() == T.DOES_NOT_EXIST) {
        negated = true;
        t = next();
      }
      if (t.type() != T.IDENTIFIER) {
        throw fail("found '" + t.shown() + "', expected: identifier");
      }
      String[] sourceKey = key(t.text());
      T following = peek().type();
      if (negated || following == T.END || following == T.COMMA) {
        return new Requirement(
            sourceKey[0], sourceKey[1], negated ? Op.DOES_NOT_EXIST : Op.EXISTS, Set.of(), 0);
      }
      Token op = nextRaw();
      return switch (op.type()) {
        case IN, NOT_IN -> {
          Set<String> values = values();
          yield new Requirement(
              sourceKey[0], sourceKey[1], op.type() == T.IN ? Op.IN : Op.NOT_IN, values, 0);
        }
        case EQUALS, DOUBLE_EQUALS, NOT_EQUALS -> {
          String v = exactValue();
          yield new Requirement(
              sourceKey[0],
              sourceKey[1],
              op.type() == T.NOT_EQUALS ? Op.NOT_EQUALS : Op.EQUALS,
              Set.of(v),
              0);
        }
        case GREATER_THAN, LESS_THAN -> {
          String v = exactValue();
          long n;
          try {
            n = Long.parseLong(v);
          } catch (NumberFormatException e) {
            throw fail(
                "value \""
                    + v
                    + "\" of '"
                    + op.text()
                    + "': for 'Gt', 'Lt' operators, the value must be an integer");
          }
          yield new Requirement(
              sourceKey[0],
              sourceKey[1],
              op.type() == T.GREATER_THAN ? Op.GREATER_THAN : Op.LESS_THAN,
              Set.of(v),
              n);
        }
        default ->
            throw fail(
                "found '"
                    + op.shown()
                    + "', expected: in, notin, =, ==, !=, gt, lt or end of requirement");
      };
    }

    /** {source, key}: "k8s:app" -> {k8s, app}; "app" -> {any, app}; plain mode: {any, key}. */
    private String[] key(String written) {
      String source = ANY;
      String key = written;
      if (ciliumSources) {
        int colon = written.indexOf(':');
        if (colon >= 0) {
          source = written.substring(0, colon);
          key = written.substring(colon + 1);
        }
      }
      // Hubble hands the key to Kubernetes' parser as "source.key"
      String checked = ciliumSources ? source + "." + key : key;
      Optional<String> err = LabelValidation.keyError(checked);
      if (err.isPresent()) {
        throw fail("invalid label key \"" + written + "\": " + err.get());
      }
      return new String[] {source, key};
    }

    private String exactValue() {
      Token t = peek();
      if (t.type() == T.END || t.type() == T.COMMA) {
        return "";
      }
      next();
      if (t.type() != T.IDENTIFIER) {
        throw fail("found '" + t.shown() + "', expected: identifier");
      }
      return checkedValue(t.text());
    }

    private Set<String> values() {
      Token open = next();
      if (open.type() != T.OPEN_PAR) {
        throw fail("found '" + open.shown() + "', expected: '('");
      }
      Set<String> values = new LinkedHashSet<>();
      if (peek().type() == T.CLOSED_PAR) {
        next();
        values.add("");
        return values;
      }
      while (true) {
        Token t = next();
        switch (t.type()) {
          case IDENTIFIER -> {
            values.add(checkedValue(t.text()));
            Token after = next();
            if (after.type() == T.CLOSED_PAR) {
              return values;
            }
            if (after.type() != T.COMMA) {
              throw fail("found '" + after.shown() + "', expected: ',' or ')'");
            }
            // "(a,)" names the empty value
            if (peek().type() == T.CLOSED_PAR) {
              next();
              values.add("");
              return values;
            }
          }
          case COMMA -> {
            // "(,a)" and "(a,,b)" name the empty value
            values.add("");
            if (peek().type() == T.CLOSED_PAR) {
              next();
              return values;
            }
          }
          default -> throw fail("found '" + t.shown() + "', expected: ',', or identifier");
        }
      }
    }

    private static String checkedValue(String v) {
      Optional<String> err = LabelValidation.valueError(v);
      if (err.isPresent()) {
        throw fail("invalid label value \"" + v + "\": " + err.get());
      }
      return v;
    }

    private static IllegalArgumentException fail(String why) {
      return new IllegalArgumentException(why);
    }
  }
}
