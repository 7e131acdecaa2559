package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.Credentials;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code auth.quotas} in front of a real docker-registry: one identity over its request rate or its
 * concurrent transfers gets {@code 429 TOOMANYREQUESTS} with {@code Retry-After} while another is
 * still served, and a transfer slot comes back when a transfer ends, also when the client aborts
 * it.
 */
class QuotaIT {
  static final Credentials CAROL = new Credentials("carol", "carol-pw");
  static final Credentials DAVE = new Credentials("dave", "dave-pw");
  static final Credentials ERIN = new Credentials("erin", "erin-pw");
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
        Files.writeString(dir.resolve("htpasswd"), entry(CAROL) + entry(DAVE) + entry(ERIN));
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
                  users: {carol: [reader, throttled], dave: [reader], erin: [reader]}
                  quotas:
                    concurrentTransfers: 1
                    roles: {throttled: {requestsPerSecond: 0.1, burst: 3}}
                """
                    .formatted(dir.resolve("audit.jsonl"), htpasswd))
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
    internal.close();
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

    // A transfer that ends normally gives its slot back before the client has read the last byte.
    assertEquals(200, fetch(url, DAVE).status(), "no 429 right after a completed transfer");
    HttpResponse<String> head =
        Http.send("HEAD", url, null, "Authorization", "Basic " + DAVE.basicToken());
    assertEquals(200, head.statusCode(), "a HEAD moves no bytes and takes no slot");
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
