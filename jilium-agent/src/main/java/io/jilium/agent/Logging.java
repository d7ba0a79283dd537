package io.jilium.agent;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.LoggerFactory;

/** Structured logs on stderr: logfmt-style text (like Cilium's) or JSON lines. */
final class Logging {
  private Logging() {}

  static void configure(String format, String level) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    ctx.reset();
    Encoder<ILoggingEvent> encoder;
    if (format.equals("json")) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(ctx);
      json.start();
      encoder = json;
    } else if (format.equals("text")) {
      PatternLayoutEncoder p = new PatternLayoutEncoder();
      p.setContext(ctx);
      p.setPattern(
          "time=%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} level=%level msg=\"%replace(%msg){'\"','\\\\\"'}\" %kvp{NONE} subsys=%logger{0}%n%ex");
      p.start();
      encoder = p;
    } else {
      throw new IllegalArgumentException(
          "--log-format \"" + format + "\" (expected: text or json)");
    }
    ConsoleAppender<ILoggingEvent> out = new ConsoleAppender<>();
    out.setContext(ctx);
    out.setTarget("System.err");
    out.setEncoder(encoder);
    out.start();
    ch.qos.logback.classic.Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.addAppender(out);
    root.setLevel(Level.toLevel(level, Level.INFO));
    ctx.getLogger("io.grpc").setLevel(Level.WARN);
    ctx.getLogger("io.grpc.netty.shaded").setLevel(Level.WARN);
    // gRPC asks every accepted connection for TCP keepalive, which a Unix socket has not: Netty
    // warns about it once per CLI call, which says nothing to the user
    ctx.getLogger("io.grpc.netty.shaded.io.netty.bootstrap.ServerBootstrap").setLevel(Level.ERROR);
  }
}
