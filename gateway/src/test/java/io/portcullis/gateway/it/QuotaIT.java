package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.Credentials;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Teardown;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.quotas} in front of a real docker-registry: one identity over its request rate or its
 * concurrent transfers gets {@code 429 TOOMANYREQUESTS} with {@code Retry-After} while another is
 * still served, and a transfer slot comes back when a transfer ends, also when the client aborts
 * it. Failed logins are limited per attempted user name and per client address: over the limit even
 * the right password gets 429 with {@code Retry-After}, on {@code /v2/} and at {@code /token}.
 */
class QuotaIT {
  static final Credentials CAROL = new Credentials("carol", "carol-pw");
  static final Credentials DAVE = new Credentials("dave", "dave-pw");
  static final Credentials ERIN = new Credentials("erin", "erin-pw");
  static final Credentials FRANK = new Credentials("frank", "frank-pw");
  static final Credentials GRACE = new Credentials("grace", "grace-pw");

  /**
   * A second loopback address, so the per-address limit can be reached without locking out
   * 127.0.0.1.
   */
  static final String OTHER_ADDRESS = "127.0.0.2";

  static final long BLOB_SIZE = 64L * 1024 * 1024;

  @TempDir static Path dir;
  static RegistryProcess internal;
  static GatewayFixture gateway;
  static LargeBlob blob;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry");
    internal = RegistryProcess.start();
    blob = LargeBlob.of(BLOB_SIZE, 7);
    blob.upload(Http.CLIENT, internal.url(), "team-a/big");
    Path htpasswd =
        Files.writeString(
            dir.resolve("htpasswd"),
            entry(CAROL) + entry(DAVE) + entry(ERIN) + entry(FRANK) + entry(GRACE));
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("internal", internal.url(), "", true)
            .extra(
                """
                audit: {file: %s}
                auth:
                  htpasswdFile: %s
                  roles:
                    reader: [{repositories: ["**"], actions: [pull]}]
                    throttled: [{repositories: ["**"], actions: [pull]}]
                  users:
                    {carol: [reader, throttled], dave: [reader], erin: [reader], frank: [reader],
                     grace: [reader]}
                  quotas:
                    concurrentTransfers: 1
                    roles: {throttled: {requestsPerSecond: 0.1, burst: 3}}
                    # perAddress above the failures the per-user test makes from 127.0.0.1.
                    failedLogins: {perAddress: 12, perUser: 3, window: 10m}
                """
                    .formatted(dir.resolve("audit.jsonl"), htpasswd))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, internal);
  }

  static String entry(Credentials c) {
    return c.username()
        + ":"
        + OpenBSDBCrypt.generate(c.password().toCharArray(), new SecureRandom().generateSeed(16), 4)
        + "\n";
  }

  @Test
  void overItsRequestRateOneIdentityGets429WithRetryAfterWhileAnotherIsServed() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, tags(CAROL).statusCode(), "within carol's burst of 3");
    }
    HttpResponse<String> refused = tags(CAROL);
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("TOOMANYREQUESTS", Http.errorCode(refused));
    assertEquals("application/json", refused.headers().firstValue("Content-Type").orElseThrow());
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter >= 1 && retryAfter <= 10, "one request per 10 s: " + retryAfter);
    assertTrue(refused.body().contains("request rate over 0.1/s"), refused.body());

    assertEquals(200, tags(DAVE).statusCode(), "dave has his own, unlimited, request budget");
    assertEquals(429, tags(CAROL).statusCode(), "carol is still over hers");
    HttpResponse<String> token =
        Http.get(
            gateway.url() + "/token?scope=repository:team-a/big:pull",
            "Authorization",
            "Basic " + CAROL.basicToken());
    assertEquals(429, token.statusCode(), "token requests count too: " + token.body());
    assertEquals("TOOMANYREQUESTS", Http.errorCode(token));
    assertTrue(token.headers().firstValue("Retry-After").isPresent());
    assertEquals(
        200,
        Http.get(
                gateway.url() + "/token?scope=repository:team-a/big:pull",
                "Authorization",
                "Basic " + DAVE.basicToken())
            .statusCode());
    String audit = Files.readString(dir.resolve("audit.jsonl"));
    assertTrue(
        audit.matches("(?s).*\"subject\":\"carol\".*\"outcome\":\"throttled\".*"),
        "the refusal is audited: " + audit);
  }

  @Test
  void aTransferSlotIsHeldWhileBytesFlowAndReturnedWhenTheClientAborts() throws Exception {
    String url = gateway.url() + "/v2/team-a/big/blobs/" + blob.digest();
    HttpClient holder = HttpClient.newHttpClient();
    HttpResponse<InputStream> held =
        holder.send(get(url, DAVE).build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, held.statusCode());
    InputStream stream = held.body();
    assertEquals(64 * 1024, stream.readNBytes(64 * 1024).length, "the transfer is under way");

    HttpResponse<String> second = Http.CLIENT.send(get(url, DAVE).build(), ofString());
    assertEquals(429, second.statusCode(), second.body());
    assertEquals("TOOMANYREQUESTS", Http.errorCode(second));
    assertEquals("1", second.headers().firstValue("Retry-After").orElseThrow());

    Fetched erin = fetch(url, ERIN);
    assertEquals(200, erin.status(), "erin is not starved by dave's transfer");
    assertEquals(BLOB_SIZE, erin.bytes());
    assertEquals(blob.digest().toString(), erin.digest());

    // dave walks away mid-transfer: the gateway notices the closed connection and frees his slot.
    stream.close();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Fetched after;
    do {
      after = fetch(url, DAVE);
      if (after.status() != 429) {
        break;
      }
      Thread.sleep(20); // the close reaches the gateway asynchronously
    } while (System.nanoTime() < deadline);
    assertEquals(200, after.status(), "the aborted transfer's slot came back");
    assertEquals(BLOB_SIZE, after.bytes());

    // A transfer that ends normally gives its slot back at its end. Through the pull-through cache
    // that transfer is a sendFile hit, whose end the gateway learns when the kernel has taken the
    // last bytes, which may be just after the client has read them: allow that moment.
    deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    Fetched next;
    do {
      next = fetch(url, DAVE);
      if (next.status() != 429) {
        break;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    assertEquals(200, next.status(), "no lasting 429 after a completed transfer");
    HttpResponse<String> head =
        Http.send("HEAD", url, null, "Authorization", "Basic " + DAVE.basicToken());
    assertEquals(200, head.statusCode(), "a HEAD moves no bytes and takes no slot");
  }

  @Test
  void afterTooManyWrongPasswordsForOneUserEvenTheRightOneGets429UntilTheWindowEnds()
      throws Exception {
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> wrong = tags(new Credentials("frank", "wrong-frank-" + i));
      assertEquals(401, wrong.statusCode(), "failure " + i + ": " + wrong.body());
    }
    HttpResponse<String> refused = tags(new Credentials("frank", "wrong-frank-4"));
    assertEquals(429, refused.statusCode(), refused.body());
    assertEquals("TOOMANYREQUESTS", Http.errorCode(refused));
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter > 500 && retryAfter <= 600, "until the 10m window ends: " + retryAfter);
    assertTrue(refused.body().contains("3 failed logins for 'frank' within 10m"), refused.body());
    assertFalse(refused.body().contains("wrong-frank"), refused.body());

    HttpResponse<String> right = tags(FRANK);
    assertEquals(
        429, right.statusCode(), "the right password is not even checked: " + right.body());
    HttpResponse<String> token = token(FRANK);
    assertEquals(429, token.statusCode(), token.body());
    assertTrue(token.body().contains("\"error\":\"too_many_requests\""), token.body());
    assertEquals("TOOMANYREQUESTS", Http.errorCode(token));
    assertTrue(token.headers().firstValue("Retry-After").isPresent());
    assertEquals(200, tags(DAVE).statusCode(), "another user from the same address is served");

    // The same at /token, with the OAuth2 password grant.
    for (int i = 1; i <= 3; i++) {
      assertEquals(401, passwordGrant("grace", "wrong-grace-" + i).statusCode(), "failure " + i);
    }
    HttpResponse<String> grace = passwordGrant("grace", GRACE.password());
    assertEquals(429, grace.statusCode(), grace.body());
    assertTrue(grace.body().contains("\"error\":\"too_many_requests\""), grace.body());
    assertTrue(grace.headers().firstValue("Retry-After").isPresent());

    String audit =
        AuditRecords.awaitRecord(
            dir.resolve("audit.jsonl"), "\"subject\":\"grace\"", "\"outcome\":\"throttled\"");
    assertTrue(
        audit
            .lines()
            .anyMatch(
                l ->
                    l.contains("\"subject\":\"frank\"")
                        && l.contains("\"action\":\"login\"")
                        && l.contains("\"outcome\":\"throttled\"")),
        audit);
    for (String secret : List.of("wrong-frank", "frank-pw", "wrong-grace", "grace-pw")) {
      assertFalse(audit.contains(secret), "no password in the audit log: " + secret);
    }
  }

  @Test
  void afterTooManyFailedLoginsFromOneAddressEveryLoginFromItGets429() throws Exception {
    for (int i = 1; i <= 12; i++) {
      Raw wrong = fromOtherAddress("/v2/", new Credentials("guesser-" + i, "guess-" + i));
      assertEquals(401, wrong.status(), "failure " + i + " (one per user name): " + wrong.body());
    }
    Raw refused = fromOtherAddress("/v2/", DAVE);
    assertEquals(429, refused.status(), refused.body());
    assertTrue(refused.body().contains("TOOMANYREQUESTS"), refused.body());
    assertTrue(refused.body().contains("12 failed logins from " + OTHER_ADDRESS), refused.body());
    assertTrue(
        Long.parseLong(refused.headers().get("retry-after")) > 500, refused.headers().toString());
    Raw token = fromOtherAddress("/token?scope=repository:team-a/big:pull", DAVE);
    assertEquals(429, token.status(), token.body());
    assertTrue(token.body().contains("too_many_requests"), token.body());
    assertTrue(token.headers().containsKey("retry-after"));

    assertEquals(200, tags(DAVE).statusCode(), "dave from 127.0.0.1 is still served");
    String audit =
        AuditRecords.awaitRecord(
            dir.resolve("audit.jsonl"),
            "\"client\":\"" + OTHER_ADDRESS + "\"",
            "\"outcome\":\"throttled\"");
    assertFalse(audit.contains("guess-"), "no password in the audit log");
    assertFalse(audit.contains(DAVE.password()), "no password in the audit log");
  }

  static HttpResponse<String> token(Credentials c) throws Exception {
    return Http.get(
        gateway.url() + "/token?scope=repository:team-a/big:pull",
        "Authorization",
        "Basic " + c.basicToken());
  }

  static HttpResponse<String> passwordGrant(String user, String password) throws Exception {
    String form =
        "grant_type=password&service=portcullis&username="
            + URLEncoder.encode(user, StandardCharsets.UTF_8)
            + "&password="
            + URLEncoder.encode(password, StandardCharsets.UTF_8);
    return Http.send(
        "POST",
        gateway.url() + "/token",
        form.getBytes(StandardCharsets.UTF_8),
        "Content-Type",
        "application/x-www-form-urlencoded");
  }

  record Raw(int status, Map<String, String> headers, String body) {}

  /**
   * One GET with Basic credentials from {@link #OTHER_ADDRESS}: Java's HttpClient cannot choose its
   * local address, so this is HTTP/1.1 over a plain socket.
   */
  static Raw fromOtherAddress(String path, Credentials c) throws Exception {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(OTHER_ADDRESS, 0));
      socket.connect(
          new InetSocketAddress("127.0.0.1", Integer.parseInt(gateway.hostPort().split(":")[1])),
          5000);
      socket.setSoTimeout(10_000);
      String request =
          "GET "
              + path
              + " HTTP/1.1\r\nHost: "
              + gateway.hostPort()
              + "\r\nAuthorization: Basic "
              + c.basicToken()
              + "\r\nConnection: close\r\n\r\n";
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int end = response.indexOf("\r\n\r\n");
      String[] head = response.substring(0, end).split("\r\n");
      Map<String, String> headers = new HashMap<>();
      for (int i = 1; i < head.length; i++) {
        int colon = head[i].indexOf(':');
        headers.put(
            head[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
            head[i].substring(colon + 1).strip());
      }
      return new Raw(Integer.parseInt(head[0].split(" ")[1]), headers, response.substring(end + 4));
    }
  }

  record Fetched(int status, long bytes, String digest) {}

  static Fetched fetch(String url, Credentials c) throws Exception {
    HttpResponse<InputStream> r =
        Http.CLIENT.send(get(url, c).build(), HttpResponse.BodyHandlers.ofInputStream());
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    long total = 0;
    try (InputStream in = r.body()) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
        total += n;
      }
    }
    return new Fetched(r.statusCode(), total, "sha256:" + HexFormat.of().formatHex(md.digest()));
  }

  static HttpRequest.Builder get(String url, Credentials c) {
    return HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(60))
        .header("Authorization", "Basic " + c.basicToken());
  }

  static HttpResponse<String> tags(Credentials c) throws Exception {
    return Http.get(gateway.url() + "/v2/", "Authorization", "Basic " + c.basicToken());
  }

  static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }
}
