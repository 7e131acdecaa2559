package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.testkit.Credentials;
import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Teardown;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that misbehave on purpose, against the packaged gateway with access control and short
 * connection deadlines: slowloris heads, stalled bodies and idle connections are closed in time
 * while a slow but moving upload succeeds; a client hanging up mid-upload is no server error in the
 * log; malformed bodies and queries are 400 before any authentication; a denial says why in a
 * header (for HEAD) and in the log; the access line names the client and the query, never a secret.
 */
class HostileClientIT {
  static final Credentials ALICE = new Credentials("alice", "alice-pw");
  static final long HEAD_MS = 2000;
  static final long IDLE_MS = 3000;
  static final long STALL_MS = 2000;

  /** What a deadline may overrun by on a machine shared with other test JVMs. */
  static final long SLACK_MS = 4000;

  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayProcess gateway;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    Path htpasswd = Files.writeString(dir.resolve("htpasswd"), AccessControlIT.entry(ALICE));
    port = FreePorts.loopback();
    gateway =
        GatewayProcess.start(
            dir,
            """
            server:
              host: 127.0.0.1
              port: %d
              idleTimeout: %dms
              readHeaderTimeout: %dms
              bodyStallTimeout: %dms
            dataDir: %s
            upstreams:
              - {name: reg, url: '%s', prefix: '', push: true, readTimeout: 5s}
            auth:
              htpasswdFile: %s
              roles: {dev: [{repositories: ["open/**"], actions: [pull, push]}]}
              users: {alice: [dev]}
            """
                .formatted(
                    port,
                    IDLE_MS,
                    HEAD_MS,
                    STALL_MS,
                    dir.resolve("data"),
                    registry.url(),
                    htpasswd),
            port,
            // The DEBUG line for a client that went away tells the test the failure was handled.
            Map.of("PORTCULLIS_LOG_LEVEL", "DEBUG"));
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, registry);
  }

  @Test
  void aHeadTrickledByteByByteIsClosedAtTheHeadDeadline() throws Exception {
    try (Socket s = socket()) {
      OutputStream out = s.getOutputStream();
      out.write("GET /v2/ HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      long closedAfter = -1;
      try {
        // One byte every 300 ms: far too little for a head, enough to defeat a plain idle timer.
        while (elapsedMs(start) < HEAD_MS + IDLE_MS + 3 * SLACK_MS) {
          out.write('a');
          out.flush();
          if (closedByPeer(s, 300)) {
            closedAfter = elapsedMs(start);
            break;
          }
        }
      } catch (IOException reset) {
        closedAfter = elapsedMs(start);
      }
      assertTrue(closedAfter >= 0, "the trickled head kept its connection");
      assertTrue(closedAfter < HEAD_MS + SLACK_MS, "closed after " + closedAfter + " ms");
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAtTheIdleDeadline() throws Exception {
    try (Socket s = socket()) {
      s.getOutputStream()
          .write("GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String head = readHead(s.getInputStream());
      assertTrue(head.startsWith("HTTP/1.1 401"), head);
      long start = System.nanoTime();
      assertTrue(closedByPeer(s, IDLE_MS + 3 * SLACK_MS), "the idle connection stayed open");
      long after = elapsedMs(start);
      assertTrue(after >= IDLE_MS - 500 && after < IDLE_MS + SLACK_MS, "closed after " + after);
    }
  }

  @Test
  void aStalledBodyIsAnswered408AndClosed() throws Exception {
    try (Socket s = socket()) {
      String head =
          "PUT /v2/open/app/manifests/v1 HTTP/1.1\r\nHost: x\r\n"
              + basic()
              + "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n"
              + "Content-Length: 1000\r\n\r\n{\"schemaVersion\":";
      s.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      s.setSoTimeout((int) (STALL_MS + 3 * SLACK_MS));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      long after = elapsedMs(start);
      assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
      assertTrue(answer.contains("\"errors\""), answer);
      assertTrue(after < STALL_MS + SLACK_MS, "answered after " + after + " ms");
    }
  }

  @Test
  void aSlowButMovingUploadOutlastsEveryDeadline() throws Exception {
    byte[] blob = RegistryProtocolIT.random(64 * 1024, 91);
    Digest digest = Digest.sha256(blob);
    try (Socket s = socket()) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v2/open/slow/blobs/uploads/?digest="
                  + digest
                  + " HTTP/1.1\r\nHost: x\r\n"
                  + basic()
                  + "Content-Type: application/octet-stream\r\nContent-Length: "
                  + blob.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      int pieces = 16;
      int piece = blob.length / pieces;
      // Well within the stall deadline, even with a loaded machine's timer jitter.
      long pause = STALL_MS * 3 / 10;
      for (int i = 0; i < pieces; i++) {
        out.write(blob, i * piece, piece);
        out.flush();
        if (i < pieces - 1) {
          // All the pauses together (9 s) exceed every deadline, the upstream's 5 s readTimeout
          // included.
          Thread.sleep(pause);
        }
      }
      String head = readHead(s.getInputStream());
      assertTrue(head.startsWith("HTTP/1.1 201"), head);
    }
    var blobHead = Http.send("HEAD", registry.url() + "/v2/open/slow/blobs/" + digest, null);
    assertEquals(200, blobHead.statusCode());
  }

  @Test
  void aClientHangingUpMidUploadIsNoServerError() throws Exception {
    byte[] part = RegistryProtocolIT.random(1024 * 1024, 92);
    String digest = Digest.sha256(part).toString();
    String[] uploads = {
      "POST /v2/open/gone/blobs/uploads/?digest=" + digest, "PUT /v2/open/gone/manifests/v1"
    };
    for (int i = 0; i < uploads.length; i++) {
      try (Socket s = socket()) {
        OutputStream out = s.getOutputStream();
        out.write(
            (uploads[i]
                    + " HTTP/1.1\r\nHost: x\r\n"
                    + basic()
                    + "X-Request-Id: hangup-"
                    + i
                    + "\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: "
                    + (i == 0 ? 10_000_000 : 100_000)
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(part, 0, i == 0 ? part.length : 4096);
        out.flush();
        // Nothing observable says the gateway has authenticated the request and is reading its
        // body; a second is ample, and the hang-up must come while it reads.
        Thread.sleep(1000);
      }
    }
    for (int i = 0; i < uploads.length; i++) {
      awaitLog("client went away during " + uploads[i].split("\\?")[0] + " id=hangup-" + i);
    }
    String log = gateway.log();
    assertFalse(log.contains(" ERROR "), log);
    assertFalse(log.contains("\tat "), log);
  }

  @Test
  void aHeadDenialSaysWhyInAHeaderAndInTheLog() throws Exception {
    var r =
        Http.send(
            "HEAD",
            gateway.url() + "/v2/secret/app/manifests/v1",
            null,
            "Authorization",
            basic().substring("Authorization: ".length()).strip(),
            "X-Request-Id",
            "deny-1");
    assertEquals(403, r.statusCode());
    String why = r.headers().firstValue("Portcullis-Error").orElseThrow();
    assertTrue(why.startsWith("DENIED: 'alice' may not pull secret/app"), why);
    String line = awaitLog("denied HEAD /v2/secret/app/manifests/v1 id=deny-1");
    assertTrue(line.contains(" WARN "), line);
    assertFalse(line.contains(ALICE.password()), line);
  }

  @Test
  void theAccessLineNamesTheClientAndTheQueryButNoSecret() throws Exception {
    var r =
        Http.get(
            gateway.url() + "/v2/open/app/tags/list?n=5&last=b&password=hunter2",
            "X-Request-Id",
            "query-1");
    assertEquals(401, r.statusCode());
    String line = awaitLog("id=query-1");
    assertTrue(
        line.contains("127.0.0.1 GET /v2/open/app/tags/list?n=5&last=b&password=* 401"), line);
    assertFalse(gateway.log().contains("hunter2"));
  }

  @Test
  void malformedQueriesAndBodiesAre400BeforeAuthentication() throws Exception {
    try (Socket s = socket()) {
      s.getOutputStream()
          .write(
              "GET /v2/open/app/tags/list?ns=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.contains("\"code\":\"NAME_INVALID\""), answer);
    }
    try (Socket s = socket()) {
      s.setSoTimeout(20_000);
      s.getOutputStream()
          .write(
              ("POST /token HTTP/1.1\r\nHost: x\r\n"
                      + "Content-Type: application/x-www-form-urlencoded\r\n"
                      + "Transfer-Encoding: chunked\r\n\r\n"
                      + "4;"
                      + "e".repeat(17 * 1024)
                      + "\r\ngran\r\n0\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.contains("\"errors\""), answer);
    }
  }

  private static Socket socket() throws IOException {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(20_000);
    return s;
  }

  private static String basic() {
    String pair = ALICE.username() + ":" + ALICE.password();
    return "Authorization: Basic "
        + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8))
        + "\r\n";
  }

  /** Whether the peer closes the connection within {@code ms} (anything it sends is skipped). */
  private static boolean closedByPeer(Socket s, long ms) throws IOException {
    long deadline = System.nanoTime() + Duration.ofMillis(ms).toNanos();
    InputStream in = s.getInputStream();
    try {
      while (System.nanoTime() < deadline) {
        s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    }
    return false;
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      sb.append((char) b);
    }
    return sb.toString();
  }

  /** The first gateway log line containing {@code text}, once it has been written. */
  private static String awaitLog(String text) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      for (String line : gateway.log().split("\n")) {
        if (line.contains(text)) {
          return line;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no log line with '" + text + "':\n" + gateway.log());
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
