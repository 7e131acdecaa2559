package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.testing.HostileNotary;
import io.portcullis.gateway.testing.HostileNotary.Fault;
import io.portcullis.testkit.NotaryProcess;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway's Notary server is an outsider too: DCT pulls through the gateway jar at {@code
 * -Xmx96m} whose trust store's server is a {@link HostileNotary} in front of a real notary-server.
 * Whatever the server does (files hundreds of MiB long or endless, one byte a second, no answer,
 * 500 and 404, garbage, a token service that trickles, every file slow), each pull answers within
 * the 10 s Notary deadline with OCI error JSON (503 when the server could not be asked, 403 naming
 * the fault when what it served does not verify), other pulls are not held up, the gateway stays
 * healthy, and a GUN verified before keeps its last good metadata.
 */
class DctHostileNotaryIT {
  /** The gateway's Notary deadline, and what a pull may take beyond it on a loaded machine. */
  private static final Duration PROMPT = Duration.ofSeconds(10).plusMillis(1500);

  @TempDir static Path dir;
  static RegistryProcess registry;
  static NotaryProcess notary;
  static HostileNotary hostile;
  static Skopeo skopeo;
  static TestImages images;
  static DctRepositories repos;
  static GatewayProcess gateway;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("notary", "notary-server");
    registry = RegistryProcess.start();
    notary = NotaryProcess.start();
    hostile = HostileNotary.start(notary);
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    repos = new DctRepositories(registry, notary, images, 900);
    Files.writeString(dir.resolve("pw"), "release-password\n");
    Signer.keygen(dir, "release");
    Path policy =
        Files.writeString(
            dir.resolve("policy.yaml"),
            """
            version: 1
            trustStores:
              dct-hostile: {type: notary-v1, server: '%s'}
              release-keys: {type: cosign, keys: [%s]}
            policies:
              - name: hostile
                scopes: ["hostile/**"]
                signatures: {anyOf: [{type: dct, trustStore: dct-hostile}]}
              - name: cosigned
                scopes: ["cosigned/**"]
                signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
              - name: default
                scopes: ["**"]
                mode: off
            """
                .formatted(hostile.url(), dir.resolve("release.pub")));
    gateway =
        GatewayProcess.inFrontOfWith(
            dir,
            registry.url(),
            "policy: {file: %s}\naudit: {file: %s}\ndct: {refreshInterval: 1s}\n"
                .formatted(policy, dir.resolve("audit.jsonl")),
            "-Xmx96m");
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, images, skopeo, hostile, notary, registry);
  }

  @AfterEach
  void healthy() throws Exception {
    hostile.fault(Fault.NONE, "");
    assertTrue(gateway.isAlive(), "the gateway died: " + gateway.log());
    assertFalse(gateway.log().contains("OutOfMemoryError"), gateway.log());
    assertEquals(200, Http.get(gateway.url() + "/v2/").statusCode());
  }

  /**
   * A GUN never verified before, signed on the real server, read through the fault: a prompt 503 or
   * 403 with what went wrong, and the same pull works once the server behaves.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "HUGE,     root.json,      403, root.json is 536870912 bytes, more than 65536",
    "ENDLESS,  timestamp.json, 403, timestamp.json is longer than 16384 bytes",
    "TRICKLE,  root.json,      503, could not be asked",
    "SILENT,   timestamp.json, 503, could not be asked",
    "ERROR,    snapshot.json,  503, answered HTTP 500",
    "MISSING,  root.json,      403, has no trust data for",
    "GARBAGE,  timestamp.json, 403, timestamp.json",
    "TOKEN_TRICKLE, root.json, 503, could not be asked",
    "SLOW,     *,              503, could not be asked",
  })
  void eachHostileAnswerIsAPromptOciError(Fault fault, String file, int status, String says)
      throws Exception {
    String repo = "hostile/" + fault.name().toLowerCase(java.util.Locale.ROOT);
    OciLayout image = repos.push(repo + ":v1");
    repos.signNew(repo, "v1", image);
    hostile.fault(fault, file);

    long start = System.nanoTime();
    HttpResponse<String> r = manifest(repo, "v1");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    System.out.printf(
        "DctHostileNotaryIT %s %s: %d in %d ms%n", fault, file, r.statusCode(), took.toMillis());
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(status == 503 ? "UNAVAILABLE" : "DENIED", Http.errorCode(r), r.body());
    assertTrue(r.body().contains(says), r.body());
    assertTrue(took.compareTo(PROMPT) < 0, fault + " answered after " + took);
    assertTrue(hostile.faulted() > 0, "the fault was served");

    hostile.fault(Fault.NONE, "");
    HttpResponse<String> ok = awaitStatus(repo, "v1", 200);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(image.digest(), ok.headers().firstValue("Docker-Content-Digest").orElseThrow());
  }

  /**
   * Once verified, a GUN keeps its last good metadata: while the server cannot be asked the last
   * verified metadata answers (within its TUF expiry); metadata that does not verify is refused and
   * stored nowhere, so when the server behaves again a tag signed since pulls and so does the old
   * one.
   */
  @Test
  void aGunVerifiedBeforeKeepsItsLastGoodMetadata() throws Exception {
    OciLayout v1 = repos.push("hostile/kept:v1");
    var client = repos.signNew("hostile/kept", "v1", v1);
    assertEquals(200, manifest("hostile/kept", "v1").statusCode());

    hostile.fault(Fault.SILENT, "timestamp.json");
    Thread.sleep(1100); // past the 1 s refresh, so the server is asked again
    long start = System.nanoTime();
    HttpResponse<String> kept = manifest("hostile/kept", "v1");
    assertEquals(200, kept.statusCode(), kept.body());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(PROMPT) < 0);

    hostile.fault(Fault.GARBAGE, "timestamp.json");
    HttpResponse<String> refused = awaitStatus("hostile/kept", "v1", 403);
    assertEquals(403, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("timestamp.json"), refused.body());

    OciLayout v2 = repos.push("hostile/kept:v2");
    repos.sign(client, "hostile/kept", "v2", v2);
    client.publish(repos.gun("hostile/kept")).orThrow();
    hostile.fault(Fault.NONE, "");
    assertEquals(v2.digest(), digestOf(awaitStatus("hostile/kept", "v2", 200)));
    // the refusal made from the garbage is kept half a refresh at most, as any DCT decision
    assertEquals(v1.digest(), digestOf(awaitStatus("hostile/kept", "v1", 200)));
  }

  /**
   * Thirty pulls of thirty GUNs whose server never answers hold no more than the DCT verifications
   * up: a cosign-verified pull meanwhile answers at once, and each of the thirty gets its 503 in
   * time.
   */
  @Test
  void aServerThatNeverAnswersHoldsUpNothingElse() throws Exception {
    List<String> silent = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      silent.add("hostile/many" + i);
    }
    repos.push("cosigned/app:v1");
    Signer.sign(dir, "release", registry, "cosigned/app:v1");
    hostile.fault(Fault.SILENT, "root.json");
    ExecutorService clients = Executors.newFixedThreadPool(silent.size());
    try {
      long start = System.nanoTime();
      List<Future<HttpResponse<String>>> pending = new ArrayList<>();
      for (String repo : silent) {
        pending.add(clients.submit(() -> manifest(repo, "v1")));
      }
      Thread.sleep(1000); // the thirty are waiting on the server by now
      long before = System.nanoTime();
      HttpResponse<String> other = manifest("cosigned/app", "v1");
      Duration otherTook = Duration.ofNanos(System.nanoTime() - before);
      assertEquals(200, other.statusCode(), other.body());
      assertTrue(
          otherTook.compareTo(Duration.ofSeconds(3)) < 0,
          "a cosign pull waited " + otherTook + " behind the DCT verifications");
      for (Future<HttpResponse<String>> f : pending) {
        HttpResponse<String> r = f.get();
        assertEquals(503, r.statusCode(), r.body());
      }
      Duration all = Duration.ofNanos(System.nanoTime() - start);
      System.out.printf(
          "DctHostileNotaryIT: cosign pull %d ms beside 30 silent GUNs, all 30 answered in %d ms,"
              + " gateway RSS %d MiB%n",
          otherTook.toMillis(), all.toMillis(), new ProcessProbe(gateway.pid()).rssKiB() / 1024);
      assertTrue(all.compareTo(PROMPT.plusSeconds(1)) < 0, "30 silent pulls took " + all);
    } finally {
      clients.shutdownNow();
    }
  }

  private static HttpResponse<String> manifest(String repo, String reference) throws Exception {
    return Http.manifest(gateway.url(), repo, reference);
  }

  private static String digestOf(HttpResponse<String> r) throws Exception {
    assertEquals(
        200,
        r.statusCode(),
        r.body() + "\naudit:\n" + Files.readString(dir.resolve("audit.jsonl")));
    return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
  }

  /** The answer once it has {@code status}, within 15 s (the gateway re-verifies each second). */
  private static HttpResponse<String> awaitStatus(String repo, String reference, int status)
      throws Exception {
    long deadline = System.nanoTime() + 15_000_000_000L;
    HttpResponse<String> last = manifest(repo, reference);
    while (last.statusCode() != status && System.nanoTime() < deadline) {
      Thread.sleep(200);
      last = manifest(repo, reference);
    }
    return last;
  }
}
