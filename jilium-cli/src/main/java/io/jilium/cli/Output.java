package io.jilium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Printing results as a table (default), JSON or YAML. */
final class Output {
  enum Format {
    TABLE,
    JSON,
    YAML
  }

  private Output() {}

  static Format parse(String s) {
    return switch (s) {
      case "table", "wide" -> Format.TABLE;
      case "json" -> Format.JSON;
      case "yaml" -> Format.YAML;
      default ->
          throw new CliException("output format \"" + s + "\" (expected: table, json or yaml)");
    };
  }

  static String json(MessageOrBuilder m) {
    try {
      return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static String jsonArray(List<? extends MessageOrBuilder> items) {
    if (items.isEmpty()) {
      return "[]";
    }
    List<String> parts = new ArrayList<>();
    for (MessageOrBuilder m : items) {
      parts.add("  " + json(m).replace("\n", "\n  "));
    }
    return "[\n" + String.join(",\n", parts) + "\n]";
  }

  static String yaml(String json) {
    try {
      JsonNode tree = new ObjectMapper().readTree(json);
      YAMLMapper y =
          new YAMLMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build());
      return y.writeValueAsString(tree).stripTrailing();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Prints a list in the chosen format; {@code table} renders the table form. */
  static void list(
      PrintStream out, Format f, List<? extends MessageOrBuilder> items, Runnable table) {
    switch (f) {
      case JSON -> out.println(jsonArray(items));
      case YAML -> out.println(items.isEmpty() ? "[]" : yaml(jsonArray(items)));
      case TABLE -> table.run();
    }
  }

  static void single(PrintStream out, Format f, MessageOrBuilder item, Runnable table) {
    switch (f) {
      case JSON -> out.println(json(item));
      case YAML -> out.println(yaml(json(item)));
      case TABLE -> table.run();
    }
  }

  /** A plain text table with left-aligned columns separated by three spaces. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    Table(String... headers) {
      this.columns = headers.length;
      rows.add(headers);
    }

    Table row(Object... cells) {
      String[] r = new String[columns];
      for (int i = 0; i < columns; i++) {
        r[i] = i < cells.length && cells[i] != null ? cells[i].toString() : "";
      }
      rows.add(r);
      return this;
    }

    void print(PrintStream out) {
      int[] w = new int[columns];
      for (String[] r : rows) {
        for (int i = 0; i < columns; i++) {
          int lw = 0;
          for (String line : r[i].split("\n", -1)) {
            lw = Math.max(lw, line.length());
          }
          w[i] = Math.max(w[i], lw);
        }
      }
      StringBuilder sb = new StringBuilder();
      for (String[] r : rows) {
        String[][] cells = new String[columns][];
        int height = 1;
        for (int i = 0; i < columns; i++) {
          cells[i] = r[i].split("\n", -1);
          height = Math.max(height, cells[i].length);
        }
        for (int line = 0; line < height; line++) {
          StringBuilder l = new StringBuilder();
          for (int i = 0; i < columns; i++) {
            String c = line < cells[i].length ? cells[i][line] : "";
            l.append(c);
            if (i < columns - 1) {
              l.append(" ".repeat(w[i] - c.length() + 3));
            }
          }
          sb.append(l.toString().stripTrailing()).append('\n');
        }
      }
      out.print(sb);
    }
  }
}
