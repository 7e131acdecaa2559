package io.portcullis.gateway.cache;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A GET over a plain socket with a small receive window, so that a test decides when the client
 * reads: the server's writes back up as soon as it stops.
 */
final class RawHttp {
  private RawHttp() {}

  /** Sends a GET with {@code Connection: close} to the loopback port; the answer's head is read. */
  static Socket get(int port, StringBuilder head) throws Exception {
    Socket client = new Socket();
    client.setReceiveBufferSize(64 * 1024);
    client.connect(new InetSocketAddress("127.0.0.1", port), 5000);
    client
        .getOutputStream()
        .write(
            "GET /blob HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
    head.append(readHead(client.getInputStream()));
    return client;
  }

  /** The status line and headers, up to the blank line. */
  static String readHead(InputStream in) throws Exception {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }
}
