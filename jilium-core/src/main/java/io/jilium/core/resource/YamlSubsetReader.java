package io.jilium.core.resource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the plain subset of YAML that manifests are written in (block mappings and sequences,
 * one-line flow collections, one-line plain and quoted scalars, comments, {@code ---} markers,
 * printable ASCII) into exactly the trees {@link ManifestReader}'s Jackson YAML reader builds, an
 * order of magnitude faster: SnakeYAML allocates about 130 bytes per byte of input (a position mark
 * per token, an iterator per token, a regular expression per scalar), which made reading the YAML
 * most of the time it takes to apply 10,000 Services.
 *
 * <p>Anything outside the subset (anchors, tags, block scalars, multi-line scalars, tabs,
 * non-ASCII, ...) and anything malformed makes {@link #read} return null: the caller then reads the
 * text with the full reader, whose results and messages are the reference. A plain scalar that
 * might not be a string under YAML 1.1's rules (numbers other than short decimal integers, {@code
 * yes}, {@code ~}, dates, ...) is typed by the full reader too, so the trees never differ.
 */
final class YamlSubsetReader {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Deeper nesting than this is left to the full reader (and its limits). */
  private static final int MAX_DEPTH = 100;

  /** SnakeYAML refuses implicit keys longer than this. */
  private static final int MAX_KEY_LENGTH = 1024;

  /** Words YAML 1.1 reads as booleans or null when plain. */
  private static final Set<String> SPECIAL_WORDS =
      Set.of(
          "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
          "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL");

  /** The full reader's value of plain scalars typed by it (few distinct ones: bounded). */
  private static final Map<String, JsonNode> TYPED = new ConcurrentHashMap<>();

  private static final int TYPED_CACHE_LIMIT = 4096;

  /** A value left out ({@code key:}, {@code -}): Jackson reads it as an empty string. */
  private static final JsonNode EMPTY = JsonNodeFactory.instance.textNode("");

  /** Raised inside the reader when the text leaves the subset; never escapes {@link #read}. */
  private static final class OutsideSubset extends RuntimeException {
    private static final OutsideSubset INSTANCE = new OutsideSubset();

    private OutsideSubset() {
      super(null, null, false, false);
    }
  }

  private final String s;

  /** Types the plain scalars that might not be strings. */
  private final ObjectMapper fullReader;

  /** The current line: {@code [line, end)}; {@code pos} is the next character to read on it. */
  private int line;

  private int end;
  private int pos;
  private boolean eof;

  private YamlSubsetReader(String s, ObjectMapper fullReader) {
    this.s = s;
    this.fullReader = fullReader;
  }

  /**
   * The documents of {@code yaml} in order (an empty document as a null node), or null when the
   * text is not entirely within the subset.
   */
  static List<JsonNode> read(String yaml, ObjectMapper fullReader) {
    return isPrintableAscii(yaml) ? readPrintableAscii(yaml, fullReader) : null;
  }

  /** {@link #read} of text already known to be {@link #isPrintableAscii}. */
  static List<JsonNode> readPrintableAscii(String yaml, ObjectMapper fullReader) {
    try {
      return new YamlSubsetReader(yaml, fullReader).documents();
    } catch (OutsideSubset e) {
      return null;
    }
  }

  /** Whether {@code text} holds only printable ASCII and line feeds (the subset's alphabet). */
  static boolean isPrintableAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if ((c < 0x20 && c != '\n') || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private List<JsonNode> documents() {
    List<JsonNode> docs = new ArrayList<>();
    end = -1;
    advance();
    if (!eof && !atMarker()) {
      docs.add(root());
    }
    while (!eof) {
      if (!atMarker()) {
        throw outside();
      }
      pos += 3;
      skipSpaces();
      if (pos < end && s.charAt(pos) != '#') {
        throw outside(); // content on the marker's line
      }
      advance();
      docs.add(eof || atMarker() ? NullNode.getInstance() : root());
    }
    return docs;
  }

  private JsonNode root() {
    JsonNode node = blockNode(col(), 0);
    if (node.isArray() || (!eof && !atMarker())) {
      // Jackson's MappingIterator unwraps a sequence at the root: left to it
      throw outside();
    }
    return node;
  }

  // ---- block structure ----

  /** The node that starts at {@code pos}, the first content of its line, at column indent. */
  private JsonNode blockNode(int indent, int depth) {
    if (depth > MAX_DEPTH) {
      throw outside();
    }
    char c = s.charAt(pos);
    if (c == '-' && blankAt(pos + 1)) {
      return blockSequence(indent, depth);
    }
    if (c == '[' || c == '{') {
      JsonNode v = flow(depth);
      lineEndsHere();
      advance();
      if (!eof && !atMarker() && col() > indent) {
        throw outside();
      }
      return v;
    }
    return blockMapping(indent, depth);
  }

  /** A block mapping whose first key is at {@code pos}, in column indent. */
  private ObjectNode blockMapping(int indent, int depth) {
    ObjectNode map = NODES.objectNode();
    while (true) {
      String key = blockKey();
      if (map.has(key)) {
        throw outside(); // the full reader reports duplicate keys
      }
      map.set(key, valueAfterIndicator(indent, depth));
      if (eof || atMarker() || col() < indent) {
        return map;
      }
      if (col() > indent) {
        throw outside();
      }
    }
  }

  /** A block sequence whose first {@code -} is at {@code pos}, in column indent. */
  private ArrayNode blockSequence(int indent, int depth) {
    ArrayNode seq = NODES.arrayNode();
    while (true) {
      pos++; // the '-'
      skipSpaces();
      if (pos == end || s.charAt(pos) == '#') {
        advance();
        if (!eof && !atMarker() && col() > indent) {
          seq.add(blockNode(col(), depth + 1));
        } else {
          seq.add(EMPTY);
        }
      } else if (s.charAt(pos) == '-' && blankAt(pos + 1)) {
        throw outside(); // "- - x"
      } else if (keyStartsHere()) {
        seq.add(blockMapping(col(), depth + 1));
      } else {
        seq.add(inlineValue(indent, depth + 1));
      }
      if (eof || atMarker() || col() < indent) {
        return seq;
      }
      if (col() > indent) {
        throw outside();
      }
      if (!(s.charAt(pos) == '-' && blankAt(pos + 1))) {
        return seq; // the next key of a mapping that holds this sequence unindented
      }
    }
  }

  /** The value after a block key's {@code :}; leaves the cursor on the next content line. */
  private JsonNode valueAfterIndicator(int indent, int depth) {
    skipSpaces();
    if (pos == end || s.charAt(pos) == '#') {
      advance();
      if (eof || atMarker()) {
        return EMPTY;
      }
      if (col() > indent) {
        return blockNode(col(), depth + 1);
      }
      if (col() == indent && s.charAt(pos) == '-' && blankAt(pos + 1)) {
        return blockSequence(indent, depth + 1);
      }
      return EMPTY;
    }
    return inlineValue(indent, depth + 1);
  }

  /**
   * A scalar or flow collection that ends its line, owned by a node in column indent; leaves the
   * cursor on the next content line.
   */
  private JsonNode inlineValue(int indent, int depth) {
    char c = s.charAt(pos);
    JsonNode v =
        switch (c) {
          case '[', '{' -> flow(depth);
          case '"' -> NODES.textNode(doubleQuoted());
          case '\'' -> NODES.textNode(singleQuoted());
          case '|', '>', '&', '*', '!', '%', '@', '`', '?', ':', ',', ']', '}', '#' ->
              throw outside();
          default -> {
            if (c == '-' && blankAt(pos + 1)) {
              throw outside();
            }
            yield plain(blockPlain());
          }
        };
    lineEndsHere();
    advance();
    if (!eof && !atMarker() && col() > indent) {
      throw outside(); // a continuation line (multi-line scalar) or an error
    }
    return v;
  }

  /** A block key at {@code pos} and its {@code :}; {@code pos} ends after the indicator. */
  private String blockKey() {
    char c = s.charAt(pos);
    String key;
    if (c == '"' || c == '\'') {
      key = c == '"' ? doubleQuoted() : singleQuoted();
      skipSpaces();
      if (pos == end || s.charAt(pos) != ':') {
        throw outside();
      }
    } else {
      if (isIndicator(c) || c == '<') {
        throw outside();
      }
      int i = pos;
      while (i < end && !(s.charAt(i) == ':' && blankAt(i + 1))) {
        if (s.charAt(i) == '#' && s.charAt(i - 1) == ' ') {
          throw outside();
        }
        i++;
      }
      if (i == end) {
        throw outside(); // not a key: a scalar where a key belongs
      }
      key = s.substring(pos, i).stripTrailing();
      pos = i;
    }
    if (key.length() > MAX_KEY_LENGTH) {
      throw outside();
    }
    pos++; // ':'
    if (pos < end && s.charAt(pos) != ' ') {
      throw outside();
    }
    return key;
  }

  /** Whether a block key ({@code key:} then a blank) starts at {@code pos}. */
  private boolean keyStartsHere() {
    char c = s.charAt(pos);
    if (c == '"' || c == '\'') {
      int save = pos;
      try {
        if (c == '"') {
          doubleQuoted();
        } else {
          singleQuoted();
        }
        skipSpaces();
        return pos < end && s.charAt(pos) == ':' && blankAt(pos + 1);
      } finally {
        pos = save;
      }
    }
    if (c == '[' || c == '{') {
      return false;
    }
    for (int i = pos; i < end; i++) {
      char ch = s.charAt(i);
      if (ch == ':' && blankAt(i + 1)) {
        return true;
      }
      if (ch == '#' && i > pos && s.charAt(i - 1) == ' ') {
        return false;
      }
    }
    return false;
  }

  /** A plain scalar running to the end of the line or a comment, trailing blanks removed. */
  private String blockPlain() {
    int i = pos;
    while (i < end) {
      char c = s.charAt(i);
      if (c == ':' && blankAt(i + 1)) {
        throw outside(); // "a: b: c" is an error
      }
      if (c == '#' && s.charAt(i - 1) == ' ') {
        break;
      }
      i++;
    }
    String v = s.substring(pos, i).stripTrailing();
    pos = i;
    return v;
  }

  // ---- flow collections (one line) ----

  private JsonNode flow(int depth) {
    if (depth > MAX_DEPTH) {
      throw outside();
    }
    char open = s.charAt(pos++);
    skipSpaces();
    if (open == '[') {
      ArrayNode seq = NODES.arrayNode();
      if (peek() == ']') {
        pos++;
        return seq;
      }
      do {
        seq.add(flowValue(depth));
      } while (!closes(']'));
      return seq;
    }
    ObjectNode map = NODES.objectNode();
    if (peek() == '}') {
      pos++;
      return map;
    }
    do {
      String key = flowKey();
      if (map.has(key)) {
        throw outside();
      }
      skipSpaces();
      map.set(key, flowValue(depth));
    } while (!closes('}'));
    return map;
  }

  /**
   * After a flow item: true when {@code close} ends the collection, false after a {@code ,} that
   * another item follows; anything else (a single-pair mapping, a trailing comma, the end of the
   * line) is outside the subset.
   */
  private boolean closes(char close) {
    skipSpaces();
    char c = peek();
    if (c == close) {
      pos++;
      return true;
    }
    if (c != ',') {
      throw outside();
    }
    pos++;
    skipSpaces();
    if (peek() == close) {
      throw outside();
    }
    return false;
  }

  private String flowKey() {
    char c = peek();
    String key;
    if (c == '"' || c == '\'') {
      key = c == '"' ? doubleQuoted() : singleQuoted();
      skipSpaces();
    } else {
      if (isIndicator(c) || c == '<') {
        throw outside();
      }
      int i = pos;
      while (i < end && s.charAt(i) != ':') {
        if (isFlowIndicator(s.charAt(i)) || s.charAt(i) == '#' || s.charAt(i) == '?') {
          throw outside(); // SnakeYAML ends a flow scalar at '?' too
        }
        i++;
      }
      key = s.substring(pos, i).stripTrailing();
      pos = i;
    }
    if (peek() != ':' || !blankAt(pos + 1) || pos + 1 == end) {
      throw outside();
    }
    pos++;
    return key;
  }

  private JsonNode flowValue(int depth) {
    char c = peek();
    switch (c) {
      case '[', '{' -> {
        return flow(depth + 1);
      }
      case '"' -> {
        return NODES.textNode(doubleQuoted());
      }
      case '\'' -> {
        return NODES.textNode(singleQuoted());
      }
      default -> {
        if (isIndicator(c) || c == 0) {
          throw outside();
        }
        int i = pos;
        while (i < end && !isFlowIndicator(s.charAt(i))) {
          char ch = s.charAt(i);
          if (ch == ':' || ch == '#' || ch == '?') {
            throw outside(); // SnakeYAML ends a flow scalar at ':' and '?'
          }
          i++;
        }
        String v = s.substring(pos, i).stripTrailing();
        pos = i;
        return plain(v);
      }
    }
  }

  // ---- scalars ----

  private String singleQuoted() {
    pos++;
    StringBuilder b = null;
    int from = pos;
    while (true) {
      if (pos >= end) {
        throw outside(); // runs onto the next line
      }
      if (s.charAt(pos) == '\'') {
        if (pos + 1 < end && s.charAt(pos + 1) == '\'') {
          if (b == null) {
            b = new StringBuilder();
          }
          b.append(s, from, pos + 1);
          pos += 2;
          from = pos;
          continue;
        }
        String v = b == null ? s.substring(from, pos) : b.append(s, from, pos).toString();
        pos++;
        return v;
      }
      pos++;
    }
  }

  private String doubleQuoted() {
    pos++;
    StringBuilder b = null;
    int from = pos;
    while (true) {
      if (pos >= end) {
        throw outside();
      }
      char c = s.charAt(pos);
      if (c == '"') {
        String v = b == null ? s.substring(from, pos) : b.append(s, from, pos).toString();
        pos++;
        return v;
      }
      if (c == '\\') {
        if (b == null) {
          b = new StringBuilder();
        }
        b.append(s, from, pos);
        if (pos + 1 >= end) {
          throw outside();
        }
        char e = s.charAt(pos + 1);
        switch (e) {
          case '\\', '"' -> b.append(e);
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case 'r' -> b.append('\r');
          default -> throw outside();
        }
        pos += 2;
        from = pos;
        continue;
      }
      pos++;
    }
  }

  /** A plain scalar's value under YAML 1.1's implicit typing, as the full reader gives it. */
  private JsonNode plain(String v) {
    if (v.isEmpty()) {
      throw outside();
    }
    char c = v.charAt(0);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      return SPECIAL_WORDS.contains(v) ? typedByFullReader(v) : NODES.textNode(v);
    }
    if ((c >= '0' && c <= '9') || c == '-') {
      JsonNode n = shortDecimal(v);
      if (n != null) {
        return n;
      }
      if (c != '-' && isDottedDigits(v)) {
        return NODES.textNode(v); // 10.0.0.1: no YAML 1.1 number or date has two dots
      }
      return typedByFullReader(v);
    }
    if (c == '.' || c == '+' || c == '~' || c == '<' || c == '=') {
      return typedByFullReader(v);
    }
    return NODES.textNode(v);
  }

  /** A decimal integer of at most 9 digits without leading zeros (an int node), else null. */
  private static JsonNode shortDecimal(String v) {
    int start = v.charAt(0) == '-' ? 1 : 0;
    int digits = v.length() - start;
    if (digits < 1 || digits > 9 || (v.charAt(start) == '0' && digits > 1)) {
      return null;
    }
    if (start == 1 && v.charAt(1) == '0') {
      return null;
    }
    int n = 0;
    for (int i = start; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return null;
      }
      n = n * 10 + (c - '0');
    }
    return NODES.numberNode(start == 1 ? -n : n);
  }

  /** Digits with at least two dots between them and nothing else. */
  private static boolean isDottedDigits(String v) {
    int dots = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '.') {
        dots++;
      } else if (c < '0' || c > '9') {
        return false;
      }
    }
    return dots >= 2;
  }

  private JsonNode typedByFullReader(String v) {
    JsonNode known = TYPED.get(v);
    if (known != null) {
      return known;
    }
    JsonNode typed;
    try {
      typed = fullReader.readTree("v: " + v + "\n").get("v");
    } catch (JsonProcessingException e) {
      throw outside();
    }
    if (typed == null) {
      throw outside();
    }
    if (TYPED.size() < TYPED_CACHE_LIMIT) {
      TYPED.put(v, typed);
    }
    return typed.deepCopy();
  }

  // ---- the cursor ----

  /** Moves to the next line with content (not blank, not only a comment). */
  private void advance() {
    int next = end + 1;
    while (next <= s.length()) {
      int e = s.indexOf('\n', next);
      if (e < 0) {
        e = s.length();
      }
      int p = next;
      while (p < e && s.charAt(p) == ' ') {
        p++;
      }
      if (p < e && s.charAt(p) != '#') {
        line = next;
        end = e;
        pos = p;
        if (isMarkerLine('.')) {
          throw outside(); // a "..." end marker
        }
        return;
      }
      next = e + 1;
    }
    eof = true;
    line = end = pos = s.length();
  }

  private int col() {
    return pos - line;
  }

  private boolean atMarker() {
    return isMarkerLine('-');
  }

  /** Whether the current line starts with three {@code c} and nothing or a blank after them. */
  private boolean isMarkerLine(char c) {
    return pos == line
        && end - pos >= 3
        && s.charAt(pos) == c
        && s.charAt(pos + 1) == c
        && s.charAt(pos + 2) == c
        && (pos + 3 == end || s.charAt(pos + 3) == ' ');
  }

  /** Only blanks and a comment may follow on this line. */
  private void lineEndsHere() {
    skipSpaces();
    if (pos < end && s.charAt(pos) != '#') {
      throw outside();
    }
  }

  private void skipSpaces() {
    while (pos < end && s.charAt(pos) == ' ') {
      pos++;
    }
  }

  /** The character at {@code pos}, or 0 at the end of the line. */
  private char peek() {
    return pos < end ? s.charAt(pos) : 0;
  }

  /** Whether {@code i} is a blank or the end of the line. */
  private boolean blankAt(int i) {
    return i >= end || s.charAt(i) == ' ';
  }

  private static boolean isIndicator(char c) {
    return switch (c) {
      case '-',
          '?',
          ':',
          ',',
          '[',
          ']',
          '{',
          '}',
          '#',
          '&',
          '*',
          '!',
          '|',
          '>',
          '\'',
          '"',
          '%',
          '@',
          '`' ->
          true;
      default -> false;
    };
  }

  private static boolean isFlowIndicator(char c) {
    return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
  }

  private static OutsideSubset outside() {
    return OutsideSubset.INSTANCE;
  }
}
