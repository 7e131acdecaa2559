package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands out free TCP ports on the loopback interface for servers that a test starts itself.
 *
 * <p>The port is found by binding port 0 and closing the socket, so another process may still take
 * it before the caller binds; callers that start a server should retry with a new port when the
 * bind fails. Within one JVM a port is never handed out twice, because test classes run
 * concurrently and the kernel likes to return a just-closed port again.
 */
public final class FreePorts {
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final int ATTEMPTS = 50;

  private FreePorts() {}

  /** Returns a loopback port that was free a moment ago and has not been returned before. */
  public static int loopback() {
    for (int i = 0; i < ATTEMPTS; i++) {
      int port = probe();
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no unused loopback port after " + ATTEMPTS + " attempts");
  }

  private static int probe() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a loopback port", e);
    }
  }
}
