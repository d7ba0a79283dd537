package io.jilium.cli.rpc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * HPACK (RFC 7541) as far as a gRPC client needs it: requests are encoded as plain literals (never
 * indexed, never Huffman: correct and simple), responses are decoded in full (static and dynamic
 * table, Huffman strings). One decoder per connection: the dynamic table is shared by every header
 * block the server sends on it.
 */
final class Hpack {
  /** A decoded header field. */
  record Header(String name, String value) {}

  private static final String[][] STATIC = {
    {":authority", ""},
    {":method", "GET"},
    {":method", "POST"},
    {":path", "/"},
    {":path", "/index.html"},
    {":scheme", "http"},
    {":scheme", "https"},
    {":status", "200"},
    {":status", "204"},
    {":status", "206"},
    {":status", "304"},
    {":status", "400"},
    {":status", "404"},
    {":status", "500"},
    {"accept-charset", ""},
    {"accept-encoding", "gzip, deflate"},
    {"accept-language", ""},
    {"accept-ranges", ""},
    {"accept", ""},
    {"access-control-allow-origin", ""},
    {"age", ""},
    {"allow", ""},
    {"authorization", ""},
    {"cache-control", ""},
    {"content-disposition", ""},
    {"content-encoding", ""},
    {"content-language", ""},
    {"content-length", ""},
    {"content-location", ""},
    {"content-range", ""},
    {"content-type", ""},
    {"cookie", ""},
    {"date", ""},
    {"etag", ""},
    {"expect", ""},
    {"expires", ""},
    {"from", ""},
    {"host", ""},
    {"if-match", ""},
    {"if-modified-since", ""},
    {"if-none-match", ""},
    {"if-range", ""},
    {"if-unmodified-since", ""},
    {"last-modified", ""},
    {"link", ""},
    {"location", ""},
    {"max-forwards", ""},
    {"proxy-authenticate", ""},
    {"proxy-authorization", ""},
    {"range", ""},
    {"referer", ""},
    {"refresh", ""},
    {"retry-after", ""},
    {"server", ""},
    {"set-cookie", ""},
    {"strict-transport-security", ""},
    {"transfer-encoding", ""},
    {"user-agent", ""},
    {"vary", ""},
    {"via", ""},
    {"www-authenticate", ""}
  };

  private final Deque<Header> dynamic = new ArrayDeque<>();
  private int dynamicSize;
  private int maxDynamicSize;

  Hpack(int maxDynamicSize) {
    this.maxDynamicSize = maxDynamicSize;
  }

  /** Encodes literal header fields without indexing. */
  static byte[] encode(List<Header> headers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Header h : headers) {
      out.write(0x00);
      writeString(out, h.name());
      writeString(out, h.value());
    }
    return out.toByteArray();
  }

  private static void writeString(ByteArrayOutputStream out, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeInt(out, 0x00, 7, b.length);
    out.writeBytes(b);
  }

  static void writeInt(ByteArrayOutputStream out, int flags, int prefixBits, int value) {
    int max = (1 << prefixBits) - 1;
    if (value < max) {
      out.write(flags | value);
      return;
    }
    out.write(flags | max);
    value -= max;
    while (value >= 128) {
      out.write((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out.write(value);
  }

  /** Decodes one complete header block. */
  List<Header> decode(byte[] block) {
    List<Header> out = new ArrayList<>();
    int[] pos = {0};
    while (pos[0] < block.length) {
      int b = block[pos[0]] & 0xff;
      if ((b & 0x80) != 0) {
        out.add(entry(readInt(block, pos, 7)));
      } else if ((b & 0x40) != 0) {
        Header h = literal(block, pos, 6);
        add(h);
        out.add(h);
      } else if ((b & 0x20) != 0) {
        int size = readInt(block, pos, 5);
        if (size > 65536) {
          throw new IllegalArgumentException("HPACK: dynamic table size " + size + " too large");
        }
        maxDynamicSize = size;
        evict();
      } else {
        out.add(literal(block, pos, 4));
      }
    }
    return out;
  }

  private Header literal(byte[] block, int[] pos, int prefixBits) {
    int index = readInt(block, pos, prefixBits);
    String name = index == 0 ? readString(block, pos) : entry(index).name();
    return new Header(name, readString(block, pos));
  }

  private Header entry(int index) {
    if (index <= 0) {
      throw new IllegalArgumentException("HPACK: index 0");
    }
    if (index <= STATIC.length) {
      return new Header(STATIC[index - 1][0], STATIC[index - 1][1]);
    }
    int d = index - STATIC.length - 1;
    if (d >= dynamic.size()) {
      throw new IllegalArgumentException("HPACK: index " + index + " beyond the tables");
    }
    int i = 0;
    for (Header h : dynamic) {
      if (i++ == d) {
        return h;
      }
    }
    throw new IllegalStateException();
  }

  private void add(Header h) {
    int size = h.name().length() + h.value().length() + 32;
    dynamic.addFirst(h);
    dynamicSize += size;
    evict();
  }

  private void evict() {
    while (dynamicSize > maxDynamicSize && !dynamic.isEmpty()) {
      Header old = dynamic.removeLast();
      dynamicSize -= old.name().length() + old.value().length() + 32;
    }
  }

  static int readInt(byte[] b, int[] pos, int prefixBits) {
    int max = (1 << prefixBits) - 1;
    int value = b[pos[0]++] & max;
    if (value < max) {
      return value;
    }
    int shift = 0;
    int next;
    do {
      next = b[pos[0]++] & 0xff;
      value += (next & 0x7f) << shift;
      shift += 7;
      if (shift > 28) {
        throw new IllegalArgumentException("HPACK: integer too large");
      }
    } while ((next & 0x80) != 0);
    return value;
  }

  private static String readString(byte[] b, int[] pos) {
    boolean huffman = (b[pos[0]] & 0x80) != 0;
    int len = readInt(b, pos, 7);
    if (pos[0] + len > b.length) {
      throw new IllegalArgumentException("HPACK: string beyond the block");
    }
    byte[] raw =
        huffman
            ? Huffman.decode(b, pos[0], len)
            : java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len);
    pos[0] += len;
    return new String(raw, StandardCharsets.UTF_8);
  }
}
