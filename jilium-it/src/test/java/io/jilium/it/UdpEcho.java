package io.jilium.it;

import io.jilium.bpf.netns.NetworkNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A UDP echo server in a network namespace: a socket of this JVM opened inside the namespace (it
 * stays there) and a virtual thread sending every datagram back to its sender, so echoing costs no
 * process. It replaces {@code socat UDP-RECVFROM,fork}, which forks per datagram and was seen to
 * stop answering when many peers sent at once (every pair of a probe matrix does).
 */
final class UdpEcho implements AutoCloseable {
  private final String name;
  private final DatagramChannel socket;
  private final Thread thread;

  private UdpEcho(String name, DatagramChannel socket) {
    this.name = name;
    this.socket = socket;
    this.thread = Thread.ofVirtual().name(name).start(this::serve);
  }

  /** IPv4 and IPv6 on {@code port} (a dual-stack socket bound to {@code ::}). */
  static UdpEcho dualStack(Path netns, int port) {
    return open(netns, StandardProtocolFamily.INET6, "::", port);
  }

  /** IPv4 only on {@code port}. */
  static UdpEcho ipv4(Path netns, int port) {
    return open(netns, StandardProtocolFamily.INET, "0.0.0.0", port);
  }

  private static UdpEcho open(Path netns, ProtocolFamily family, String any, int port) {
    DatagramChannel s;
    try {
      s =
          NetworkNamespace.callIn(
              netns,
              () -> {
                DatagramChannel c = DatagramChannel.open(family);
                try {
                  c.bind(new InetSocketAddress(InetAddress.getByName(any), port));
                } catch (IOException | RuntimeException e) {
                  c.close();
                  throw e;
                }
                return c;
              });
    } catch (IOException e) {
      throw new IllegalStateException("UDP echo on port " + port + " in " + netns + ": " + e, e);
    }
    return new UdpEcho("udp-echo-" + netns.getFileName() + "-" + port, s);
  }

  private void serve() {
    ByteBuffer buf = ByteBuffer.allocate(65536);
    while (socket.isOpen()) {
      try {
        buf.clear();
        SocketAddress from = socket.receive(buf);
        buf.flip();
        socket.send(buf, from);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        // an ICMP error of an earlier send (the peer closed its socket): keep serving
      }
    }
  }

  /** Closes the socket and waits for the thread; fails if it does not stop. */
  @Override
  public void close() {
    try {
      socket.close();
      if (!thread.join(Duration.ofSeconds(5))) {
        throw new IllegalStateException(name + " did not stop within 5 s");
      }
    } catch (IOException e) {
      throw new IllegalStateException("closing " + name + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while closing " + name, e);
    }
  }
}
