package io.jilium.cli.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HpackTest {
  @Test
  void canonicalCodesMatchTheRfcForKnownSymbols() {
    // RFC 7541 Appendix B: ' ' 010100 (6), '0' 00000 (5), 'a' 00011 (5), 'z' 1111011 (7)
    assertThat(Huffman.code(' ')).isEqualTo(0x14);
    assertThat(Huffman.codeLength(' ')).isEqualTo(6);
    assertThat(Huffman.code('0')).isEqualTo(0x0);
    assertThat(Huffman.code('a')).isEqualTo(0x3);
    assertThat(Huffman.code('z')).isEqualTo(0x7b);
    assertThat(Huffman.codeLength('z')).isEqualTo(7);
    assertThat(Huffman.code(256)).isEqualTo(0x3fffffff);
    assertThat(Huffman.code(0)).isEqualTo(0x1ff8);
  }

  @Test
  void decodesTheRfcExample() {
    // RFC 7541 C.4.1: "www.example.com" Huffman-coded
    byte[] coded = HexFormat.of().parseHex("f1e3c2e5f23a6ba0ab90f4ff");
    assertThat(new String(Huffman.decode(coded, 0, coded.length), StandardCharsets.US_ASCII))
        .isEqualTo("www.example.com");
  }

  @Test
  void rejectsBadPadding() {
    // 'a' is 00011 (5 bits); padding with zeros instead of ones is invalid
    byte[] zeros = {(byte) 0b00011000};
    assertThatThrownBy(() -> Huffman.decode(zeros, 0, 1)).hasMessageContaining("padding");
    byte[] ones = {(byte) 0b00011111};
    assertThat(Huffman.decode(ones, 0, 1)).containsExactly('a');
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5})
  void decodesWhatNettyEncodesWithHuffmanAndIndexing(int seed) throws Exception {
    Random rnd = new Random(seed);
    // threshold 0: Netty Huffman-codes every string it can shorten; it also indexes headers
    DefaultHttp2HeadersEncoder enc =
        new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, false, 16, 0);
    Hpack decoder = new Hpack(4096);
    for (int block = 0; block < 5; block++) {
      DefaultHttp2Headers h = new DefaultHttp2Headers();
      h.status("200");
      h.add("content-type", "application/grpc");
      String message = randomText(rnd, 1 + rnd.nextInt(800));
      h.add("grpc-message", message);
      h.add("x-custom-" + rnd.nextInt(3), randomText(rnd, rnd.nextInt(40)));
      ByteBuf buf = Unpooled.buffer();
      enc.encodeHeaders(3, h, buf);
      List<Hpack.Header> decoded = decoder.decode(ByteBufUtil.getBytes(buf));
      assertThat(decoded)
          .contains(new Hpack.Header(":status", "200"), new Hpack.Header("grpc-message", message));
      assertThat(decoded).hasSize(4);
    }
  }

  private static String randomText(Random rnd, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append((char) (0x20 + rnd.nextInt(0x5f)));
    }
    return sb.toString();
  }

  @Test
  void integersUseThePrefixAndContinuationBytes() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    // RFC 7541 C.1.2: 1337 with a 5-bit prefix -> 1f 9a 0a
    Hpack.writeInt(out, 0, 5, 1337);
    assertThat(out.toByteArray()).containsExactly(0x1f, 0x9a, 0x0a);
    assertThat(Hpack.readInt(out.toByteArray(), new int[] {0}, 5)).isEqualTo(1337);
  }
}
