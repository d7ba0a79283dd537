package io.jilium.cli.rpc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One HTTP/2 connection (prior knowledge, cleartext) to a gRPC server on a Unix socket, used for
 * one call at a time on stream ids 1, 3, 5, ... Blocking; not thread-safe, except {@link #close()},
 * which may be called from another thread to cancel a streaming call.
 */
public final class UnixGrpcChannel implements AutoCloseable {
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0x0;
  private static final int HEADERS = 0x1;
  private static final int RST_STREAM = 0x3;
  private static final int SETTINGS = 0x4;
  private static final int PING = 0x6;
  private static final int GOAWAY = 0x7;
  private static final int WINDOW_UPDATE = 0x8;
  private static final int CONTINUATION = 0x9;
  private static final int FLAG_END_STREAM = 0x1;
  private static final int FLAG_ACK = 0x1;
  private static final int FLAG_END_HEADERS = 0x4;
  private static final int FLAG_PADDED = 0x8;
  private static final int FLAG_PRIORITY = 0x20;
  private static final int OUR_WINDOW = 1 << 30;

  private final Path socket;
  private final SocketChannel ch;
  private final Hpack hpack = new Hpack(4096);
  private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
  private int nextStream = 1;
  private long sendWindowConn = 65535;
  private long sendWindowInitial = 65535;
  private int peerMaxFrame = 16384;

  /** Connects; throws {@link RpcException} UNAVAILABLE when nobody listens. */
  public UnixGrpcChannel(Path socket) {
    this.socket = socket;
    try {
      ch = SocketChannel.open(StandardProtocolFamily.UNIX);
      ch.connect(UnixDomainSocketAddress.of(socket));
      in.flip();
      ByteArrayOutputStream hello = new ByteArrayOutputStream();
      hello.writeBytes(PREFACE);
      // SETTINGS: ENABLE_PUSH 0, INITIAL_WINDOW_SIZE 1 GiB; then open the connection window too
      ByteBuffer settings = ByteBuffer.allocate(12);
      settings.putShort((short) 0x2).putInt(0).putShort((short) 0x4).putInt(OUR_WINDOW);
      hello.writeBytes(frame(SETTINGS, 0, 0, settings.array()));
      hello.writeBytes(
          frame(WINDOW_UPDATE, 0, 0, ByteBuffer.allocate(4).putInt(OUR_WINDOW - 65535).array()));
      write(hello.toByteArray());
    } catch (IOException e) {
      throw new RpcException("UNAVAILABLE", e.getMessage() == null ? e.toString() : e.getMessage());
    }
  }

  /** A unary call: returns the response message bytes. */
  public byte[] unary(String method, byte[] request) {
    List<byte[]> out = new ArrayList<>();
    call(
        method,
        request,
        m -> {
          out.add(m);
          return true;
        });
    if (out.size() != 1) {
      throw new RpcException(
          "INTERNAL", method + ": expected one response message, got " + out.size());
    }
    return out.get(0);
  }

  /**
   * A call with any number of response messages: {@code onMessage} gets each; returning false stops
   * reading (the call is abandoned).
   */
  public void call(String method, byte[] request, Predicate<byte[]> onMessage) {
    int stream = nextStream;
    nextStream += 2;
    try {
      List<Hpack.Header> h =
          List.of(
              new Hpack.Header(":method", "POST"),
              new Hpack.Header(":scheme", "http"),
              new Hpack.Header(":path", method),
              new Hpack.Header(":authority", "localhost"),
              new Hpack.Header("content-type", "application/grpc"),
              new Hpack.Header("te", "trailers"));
      write(frame(HEADERS, FLAG_END_HEADERS, stream, Hpack.encode(h)));
      // the gRPC message prefix: not compressed, then the length
      byte[] prefix = new byte[5];
      prefix[1] = (byte) (request.length >>> 24);
      prefix[2] = (byte) (request.length >>> 16);
      prefix[3] = (byte) (request.length >>> 8);
      prefix[4] = (byte) request.length;
      sendData(stream, prefix, request);
      readResponse(method, stream, onMessage);
    } catch (IOException e) {
      throw new RpcException(
          "UNAVAILABLE", method + ": connection to " + socket + " lost (" + e.getMessage() + ")");
    }
  }

  /**
   * Sends {@code prefix} then {@code body} as DATA frames, the last with END_STREAM. Each frame is
   * one gathering write of its header and slices of the two arrays: a large request (a 7 MB
   * manifest) is never copied again on its way to the socket.
   */
  private void sendData(int stream, byte[] prefix, byte[] body) throws IOException {
    long total = (long) prefix.length + body.length;
    long streamWindow = sendWindowInitial;
    long off = 0;
    while (true) {
      int n =
          (int)
              Math.min(Math.min(total - off, peerMaxFrame), Math.min(streamWindow, sendWindowConn));
      if (n <= 0 && total > off) {
        // wait for the server to open its window
        long[] credit = readControlFrame(stream);
        sendWindowConn += credit[0];
        streamWindow += credit[1];
        continue;
      }
      boolean last = off + n >= total;
      ByteBuffer header = frameHeader(DATA, last ? FLAG_END_STREAM : 0, stream, n);
      List<ByteBuffer> parts = new ArrayList<>(3);
      parts.add(header);
      long end = off + n;
      if (off < prefix.length) {
        int k = (int) Math.min(prefix.length, end) - (int) off;
        parts.add(ByteBuffer.wrap(prefix, (int) off, k));
      }
      if (end > prefix.length) {
        int from = (int) Math.max(off - prefix.length, 0);
        parts.add(ByteBuffer.wrap(body, from, (int) (end - prefix.length) - from));
      }
      write(parts.toArray(ByteBuffer[]::new));
      off = end;
      sendWindowConn -= n;
      streamWindow -= n;
      if (last) {
        return;
      }
    }
  }

  /** While sending: reads one frame that may grant window; returns {conn, stream} credit. */
  private long[] readControlFrame(int stream) throws IOException {
    int[] hdr = readFrameHeader();
    byte[] payload = readFully(hdr[0]);
    long[] credit = {0, 0};
    switch (hdr[1]) {
      case WINDOW_UPDATE -> {
        long inc = ByteBuffer.wrap(payload).getInt() & 0x7fffffffL;
        if (hdr[3] == 0) {
          credit[0] = inc;
        } else if (hdr[3] == stream) {
          credit[1] = inc;
        }
      }
      case SETTINGS -> credit[1] = applySettings(hdr[2], payload);
      case PING -> ping(hdr[2], payload);
      case GOAWAY -> throw new RpcException("UNAVAILABLE", "the agent closed the connection");
      case RST_STREAM -> throw new RpcException("CANCELLED", "the agent reset the call");
      default -> {
        // responses do not start before the request is complete
      }
    }
    return credit;
  }

  private void readResponse(String method, int stream, Predicate<byte[]> onMessage)
      throws IOException {
    MessageBuffer data = new MessageBuffer();
    ByteArrayOutputStream headerBlock = null;
    String grpcStatus = null;
    String grpcMessage = "";
    String httpStatus = null;
    boolean headersEndStream = false;
    while (true) {
      int[] hdr = readFrameHeader();
      int len = hdr[0];
      int type = hdr[1];
      int flags = hdr[2];
      int sid = hdr[3];
      byte[] payload = readFully(len);
      switch (type) {
        case SETTINGS -> applySettings(flags, payload);
        case PING -> ping(flags, payload);
        case WINDOW_UPDATE -> {
          // the server returns connection credit for the request bytes it read; keeping it is
          // what lets later calls on this connection send (stream credit dies with the stream)
          if (sid == 0) {
            sendWindowConn += ByteBuffer.wrap(payload).getInt() & 0x7fffffffL;
          }
        }
        case GOAWAY ->
            throw new RpcException("UNAVAILABLE", method + ": the agent closed the connection");
        case RST_STREAM -> {
          if (sid == stream) {
            throw new RpcException("CANCELLED", method + ": the agent reset the call");
          }
        }
        case DATA -> {
          if (sid != stream) {
            continue;
          }
          int off = 0;
          int end = payload.length;
          if ((flags & FLAG_PADDED) != 0) {
            end -= payload[0] & 0xff;
            off = 1;
          }
          data.append(payload, off, end - off);
          if (payload.length > 0) {
            // give the window back as we consume
            write(
                concat(
                    frame(
                        WINDOW_UPDATE, 0, 0, ByteBuffer.allocate(4).putInt(payload.length).array()),
                    frame(
                        WINDOW_UPDATE,
                        0,
                        stream,
                        ByteBuffer.allocate(4).putInt(payload.length).array())));
          }
          if (!data.deliver(onMessage)) {
            return;
          }
          if ((flags & FLAG_END_STREAM) != 0) {
            throw new RpcException("INTERNAL", method + ": the stream ended without a status");
          }
        }
        case HEADERS, CONTINUATION -> {
          if (sid != stream) {
            continue;
          }
          int off = 0;
          int end = payload.length;
          if (type == HEADERS) {
            headerBlock = new ByteArrayOutputStream();
            headersEndStream = (flags & FLAG_END_STREAM) != 0;
            if ((flags & FLAG_PADDED) != 0) {
              end -= payload[0] & 0xff;
              off = 1;
            }
            if ((flags & FLAG_PRIORITY) != 0) {
              off += 5;
            }
          } else if (headerBlock == null) {
            throw new RpcException("INTERNAL", method + ": CONTINUATION without HEADERS");
          }
          headerBlock.write(payload, off, end - off);
          if ((flags & FLAG_END_HEADERS) == 0) {
            continue;
          }
          for (Hpack.Header h : hpack.decode(headerBlock.toByteArray())) {
            switch (h.name()) {
              case ":status" -> httpStatus = h.value();
              case "grpc-status" -> grpcStatus = h.value();
              case "grpc-message" ->
                  grpcMessage =
                      URLDecoder.decode(h.value().replace("+", "%2B"), StandardCharsets.UTF_8);
              default -> {}
            }
          }
          headerBlock = null;
          if (headersEndStream) {
            finish(method, httpStatus, grpcStatus, grpcMessage);
            return;
          }
        }
        default -> {}
      }
    }
  }

  private static void finish(
      String method, String httpStatus, String grpcStatus, String grpcMessage) {
    if (grpcStatus == null) {
      throw new RpcException(
          "INTERNAL", method + ": no grpc-status (HTTP status " + httpStatus + ")");
    }
    int code;
    try {
      code = Integer.parseInt(grpcStatus);
    } catch (NumberFormatException e) {
      code = 2;
    }
    if (code != 0) {
      throw new RpcException(
          RpcException.codeName(code),
          grpcMessage.isEmpty() ? RpcException.codeName(code) : grpcMessage);
    }
  }

  /**
   * The response's DATA bytes: complete gRPC messages (5-byte prefix + body) go to the consumer as
   * soon as they are whole, the rest waits without being copied again (a reply of 20,000 applied
   * resources spans a hundred frames).
   */
  private static final class MessageBuffer {
    private byte[] buf = new byte[1 << 14];
    private int start;
    private int end;

    void append(byte[] b, int off, int n) {
      if (end + n > buf.length) {
        int live = end - start;
        byte[] to = live + n > buf.length ? new byte[Math.max(buf.length * 2, live + n)] : buf;
        System.arraycopy(buf, start, to, 0, live);
        buf = to;
        start = 0;
        end = live;
      }
      System.arraycopy(b, off, buf, end, n);
      end += n;
    }

    /** Hands over every complete message; false when the consumer wants no more. */
    boolean deliver(Predicate<byte[]> onMessage) {
      while (end - start >= 5) {
        if (buf[start] != 0) {
          throw new RpcException("INTERNAL", "compressed gRPC messages are not supported");
        }
        int len =
            ((buf[start + 1] & 0xff) << 24)
                | ((buf[start + 2] & 0xff) << 16)
                | ((buf[start + 3] & 0xff) << 8)
                | (buf[start + 4] & 0xff);
        if (end - start - 5 < len) {
          return true;
        }
        byte[] msg = java.util.Arrays.copyOfRange(buf, start + 5, start + 5 + len);
        start += 5 + len;
        if (!onMessage.test(msg)) {
          return false;
        }
      }
      return true;
    }
  }

  private long applySettings(int flags, byte[] payload) throws IOException {
    if ((flags & FLAG_ACK) != 0) {
      return 0;
    }
    long streamCredit = 0;
    ByteBuffer b = ByteBuffer.wrap(payload);
    while (b.remaining() >= 6) {
      int id = b.getShort() & 0xffff;
      long value = b.getInt() & 0xffffffffL;
      if (id == 0x4) {
        streamCredit += value - sendWindowInitial;
        sendWindowInitial = value;
      } else if (id == 0x5) {
        peerMaxFrame = (int) Math.min(value, 1 << 20);
      }
    }
    write(frame(SETTINGS, FLAG_ACK, 0, new byte[0]));
    return streamCredit;
  }

  private void ping(int flags, byte[] payload) throws IOException {
    if ((flags & FLAG_ACK) == 0) {
      write(frame(PING, FLAG_ACK, 0, payload));
    }
  }

  private int[] readFrameHeader() throws IOException {
    byte[] h = readFully(9);
    int len = ((h[0] & 0xff) << 16) | ((h[1] & 0xff) << 8) | (h[2] & 0xff);
    int sid = ((h[5] & 0x7f) << 24) | ((h[6] & 0xff) << 16) | ((h[7] & 0xff) << 8) | (h[8] & 0xff);
    return new int[] {len, h[3] & 0xff, h[4] & 0xff, sid};
  }

  private byte[] readFully(int n) throws IOException {
    byte[] out = new byte[n];
    int got = 0;
    while (got < n) {
      if (!in.hasRemaining()) {
        in.clear();
        int r = ch.read(in);
        in.flip();
        if (r < 0) {
          throw new IOException("connection closed by the agent");
        }
        continue;
      }
      int k = Math.min(in.remaining(), n - got);
      in.get(out, got, k);
      got += k;
    }
    return out;
  }

  private void write(byte[] bytes) throws IOException {
    write(ByteBuffer.wrap(bytes));
  }

  private void write(ByteBuffer... parts) throws IOException {
    ByteBuffer tail = parts[parts.length - 1];
    while (tail.hasRemaining()) {
      ch.write(parts);
    }
  }

  private static byte[] frame(int type, int flags, int stream, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length);
    b.put(frameHeader(type, flags, stream, payload.length)).put(payload);
    return b.array();
  }

  private static ByteBuffer frameHeader(int type, int flags, int stream, int length) {
    ByteBuffer b = ByteBuffer.allocate(9);
    b.put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
    b.put((byte) type).put((byte) flags).putInt(stream & 0x7fffffff);
    return b.flip();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public void close() {
    try {
      ch.close();
    } catch (IOException e) {
      // closing is best effort
    }
  }
}
