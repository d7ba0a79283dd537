package io.jilium.core.resource;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Splits a manifest (multi-document YAML, or JSON) into documents. Empty documents are skipped;
 * {@code kind: List} is expanded into its items. Duplicate keys are errors.
 */
public final class ManifestReader {
  private static final ObjectMapper YAML =
      YAMLMapper.builder(YAMLFactory.builder().build())
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();
  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

  private ManifestReader() {}

  public static List<Document> read(String source, String content) {
    List<Document> docs = new ArrayList<>();
    read(source, content, null, 0, docs::add);
    return docs;
  }

  /**
   * Reads part of a manifest whose documents are numbered from {@code base + 1}, handing each to
   * {@code docs} as soon as it is read; returns the number of documents read, empty ones included
   * (what the next part's base grows by).
   */
  static int read(
      String source, String content, Boolean printableAscii, int base, Consumer<Document> docs) {
    String trimmed = content.stripLeading();
    ObjectMapper mapper = trimmed.startsWith("{") || trimmed.startsWith("[") ? JSON : YAML;
    int index = base;
    if (mapper == YAML) {
      boolean subset =
          printableAscii != null ? printableAscii : YamlSubsetReader.isPrintableAscii(content);
      List<JsonNode> fast = subset ? YamlSubsetReader.readPrintableAscii(content, YAML) : null;
      if (fast != null) {
        for (JsonNode node : fast) {
          index = accept(source, node, index, docs);
        }
        return index - base;
      }
    }
    try (MappingIterator<JsonNode> it = mapper.readerFor(JsonNode.class).readValues(content)) {
      while (it.hasNextValue()) {
        index = accept(source, it.nextValue(), index, docs);
      }
      return index - base;
    } catch (JsonProcessingException e) {
      throw new ManifestException(
          source
              + ": document "
              + (index + 1)
              + ": malformed "
              + (mapper == JSON ? "JSON" : "YAML")
              + at(e)
              + ": "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ManifestException(source + ": " + e.getMessage());
    } catch (RuntimeException e) {
      if (e instanceof ManifestException) {
        throw e;
      }
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (cause instanceof JsonProcessingException jpe) {
        throw new ManifestException(
            source
                + ": document "
                + (index + 1)
                + ": malformed YAML"
                + at(jpe)
                + ": "
                + jpe.getOriginalMessage());
      }
      throw new ManifestException(source + ": document " + (index + 1) + ": " + cause.getMessage());
    }
  }

  /**
   * Hands the document read after document {@code index} to {@code docs} (the items of a list, none
   * for an empty document); returns the number of the last document read.
   */
  private static int accept(String source, JsonNode node, int index, Consumer<Document> docs) {
    index++;
    // An empty YAML document (only "---" or comments) reads as an empty string.
    if (node == null
        || node.isNull()
        || node.isMissingNode()
        || (node.isObject() && node.isEmpty())
        || (node.isTextual() && node.asText().isEmpty())) {
      return index;
    }
    if (node.isArray()) {
      for (JsonNode item : node) {
        docs.accept(new Document(source, ++index - 1, item));
      }
      return index;
    }
    if (node.isObject() && "List".equals(node.path("kind").asText()) && node.has("items")) {
      JsonNode items = node.get("items");
      if (!items.isArray()) {
        throw new ManifestException(source + ": document " + index + ": items: expected a list");
      }
      for (JsonNode item : items) {
        docs.accept(new Document(source, index, item));
      }
      return index;
    }
    docs.accept(new Document(source, index, node));
    return index;
  }

  /** {@code " at line L, column C"}, or nothing when the parser knows no location. */
  private static String at(JsonProcessingException e) {
    var loc = e.getLocation();
    if (loc == null || loc.getLineNr() < 0) {
      return "";
    }
    return " at line "
        + loc.getLineNr()
        + (loc.getColumnNr() < 0 ? "" : ", column " + loc.getColumnNr());
  }
}
