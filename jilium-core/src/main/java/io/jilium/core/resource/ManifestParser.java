package io.jilium.core.resource;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

/**
 * Reads and parses whole manifests into resources, all or nothing ({@link ManifestReader} then
 * {@link ResourceParser}). A large YAML manifest (10,000 Services are 7 MB) is cut at its document
 * markers into parts that are read and parsed on every core, each document's tree dropped as soon
 * as its resource is built; any problem anywhere sends the whole batch down the one-thread path,
 * whose messages (document numbers, lines) are the reference.
 */
public final class ManifestParser {
  /** Manifests smaller than this are read on one thread. */
  static final int SPLIT_THRESHOLD = 256 * 1024;

  /** About this many characters per part, so that the cores share the work evenly. */
  static final int PART_SIZE = 8 * 1024;

  /** One manifest: where it came from ({@code svc.yaml}, {@code -}) and its text. */
  public record Source(String name, String content) {}

  /**
   * Resources in manifest order and, per resource, where it came from ({@code svc.yaml: document
   * 2}).
   */
  public record Parsed(List<Resource> resources, List<String> where) {
    public Parsed {
      resources = List.copyOf(resources);
      where = List.copyOf(where);
    }
  }

  /**
   * A run of whole documents of one manifest; its first is document {@code base + 1}; {@code
   * documents} is how many the reader must find in it (-1: a whole manifest, not checked); {@code
   * printableAscii} whether the manifest is known to be printable ASCII (null: not checked yet),
   * checked once for all parts of a large manifest.
   */
  record Part(String source, String content, int base, int documents, Boolean printableAscii) {}

  private ManifestParser() {}

  /**
   * Reads and parses {@code manifests}; throws {@link ManifestException} listing every problem (all
   * unreadable manifests, else all invalid documents).
   */
  public static Parsed parse(List<Source> manifests) {
    List<Part> parts = new ArrayList<>();
    for (Source m : manifests) {
      List<Part> split = split(m.name(), m.content());
      if (split.isEmpty()) {
        return sequential(manifests);
      }
      parts.addAll(split);
    }
    if (parts.size() < 2) {
      return sequential(manifests);
    }
    List<Parsed> done = parallel(parts);
    if (done == null) {
      return sequential(manifests);
    }
    List<Resource> resources = new ArrayList<>();
    List<String> where = new ArrayList<>();
    for (Parsed p : done) {
      resources.addAll(p.resources());
      where.addAll(p.where());
    }
    return new Parsed(resources, where);
  }

  /** The reference path: every manifest read, then every document parsed, on this thread. */
  static Parsed sequential(List<Source> manifests) {
    List<Document> docs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Source m : manifests) {
      try {
        docs.addAll(ManifestReader.read(m.name(), m.content()));
      } catch (ManifestException e) {
        problems.addAll(e.problems());
      }
    }
    if (!problems.isEmpty()) {
      throw new ManifestException(problems);
    }
    return new Parsed(ResourceParser.parseAll(docs), docs.stream().map(Document::where).toList());
  }

  /** Parsed parts in order, or null when any part failed or did not hold what the split said. */
  private static List<Parsed> parallel(List<Part> parts) {
    int threads = Math.min(parts.size(), Runtime.getRuntime().availableProcessors());
    try (ForkJoinPool pool = new ForkJoinPool(threads)) {
      List<Parsed> done =
          pool.submit(() -> parts.parallelStream().map(ManifestParser::parsePart).toList()).get();
      return done.stream().anyMatch(Objects::isNull) ? null : done;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ManifestException("interrupted while reading manifests");
    } catch (ExecutionException e) {
      return null;
    }
  }

  /** One part's resources, or null when it has a problem (the reference path will name it). */
  static Parsed parsePart(Part part) {
    try {
      List<Resource> resources = new ArrayList<>();
      List<String> where = new ArrayList<>();
      // each document becomes a resource as soon as it is read: its tree dies young
      int read =
          ManifestReader.read(
              part.source(),
              part.content(),
              part.printableAscii(),
              part.base(),
              d -> {
                resources.add(ResourceParser.parse(d));
                where.add(d.where());
              });
      if (part.documents() >= 0 && read != part.documents()) {
        return null;
      }
      return new Parsed(resources, where);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Cuts a YAML manifest at document markers ({@code ---} at the start of a line) into parts of
   * about {@link #PART_SIZE}; one part when it is small or JSON; none when it has anything that
   * makes counting documents by markers unsafe (directives, {@code ...} end markers).
   */
  static List<Part> split(String source, String content) {
    if (content.length() < SPLIT_THRESHOLD) {
      return List.of(new Part(source, content, 0, -1, null));
    }
    int first = 0;
    while (first < content.length() && Character.isWhitespace(content.charAt(first))) {
      first++;
    }
    if (first < content.length()
        && (content.charAt(first) == '{' || content.charAt(first) == '[')) {
      return List.of(new Part(source, content, 0, -1, null));
    }
    Boolean ascii = YamlSubsetReader.isPrintableAscii(content);
    List<Part> parts = new ArrayList<>();
    int partStart = 0;
    int base = 0;
    int markers = 0; // document markers in the current part
    boolean implicitFirst = false; // content before the manifest's first marker: a document
    int n = content.length();
    for (int line = 0; line < n; ) {
      int end = content.indexOf('\n', line);
      if (end < 0) {
        end = n;
      }
      char c = content.charAt(line);
      if (c == '%' || isMarker(content, line, end, '.')) {
        return List.of();
      }
      if (isMarker(content, line, end, '-')) {
        if (line - partStart >= PART_SIZE && (markers > 0 || implicitFirst)) {
          int docs = markers + (implicitFirst ? 1 : 0);
          parts.add(new Part(source, content.substring(partStart, line), base, docs, ascii));
          base += docs;
          partStart = line;
          markers = 0;
          implicitFirst = false;
        }
        markers++;
      } else if (parts.isEmpty()
          && markers == 0
          && !implicitFirst
          && hasContent(content, line, end)) {
        implicitFirst = true;
      }
      line = end + 1;
    }
    parts.add(
        new Part(
            source, content.substring(partStart), base, markers + (implicitFirst ? 1 : 0), ascii));
    return parts;
  }

  /** Whether the line {@code [start, end)} is a document marker made of three {@code c}. */
  private static boolean isMarker(String s, int start, int end, char c) {
    if (end - start < 3
        || s.charAt(start) != c
        || s.charAt(start + 1) != c
        || s.charAt(start + 2) != c) {
      return false;
    }
    if (end - start == 3) {
      return true;
    }
    char next = s.charAt(start + 3);
    return next == ' ' || next == '\t' || next == '\r';
  }

  /** Whether the line holds anything but blanks and a comment. */
  private static boolean hasContent(String s, int start, int end) {
    for (int i = start; i < end; i++) {
      char ch = s.charAt(i);
      if (ch == '#') {
        return false;
      }
      if (!Character.isWhitespace(ch)) {
        return true;
      }
    }
    return false;
  }
}
