package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.dct.DctVerifier;
import io.portcullis.core.dct.Gun;
import io.portcullis.core.policy.DctEvidence;
import io.portcullis.core.policy.NotaryTrustStore;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.testkit.NotaryClient;
import io.portcullis.testkit.NotaryProcess;
import io.portcullis.testkit.RequiredTools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's DCT metadata cache against a real notary-server, under a clock the test moves: the
 * server's timestamp metadata (14 days) is refused once expired, both when verified afresh and when
 * the metadata verified before is still in the cache; with the server down, the last verified
 * metadata answers until its expiry, then the answer is 503.
 */
class DctTrustIT {
  private static final String GUN = "registry.test:5000/team/expiring";
  private static NotaryProcess notary;
  private static Vertx vertx;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    RequiredTools.check("notary", "notary-server");
    notary = NotaryProcess.start();
    vertx = Vertx.vertx();
    NotaryClient client = notary.client();
    client.init(GUN).orThrow();
    client.addHash(GUN, "v1", 123, "ab".repeat(32)).orThrow();
    client.publish(GUN).orThrow();
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      vertx.close().await();
    }
    if (notary != null) {
      notary.close();
    }
  }

  /**
   * The real time plus what the test moved it forward by. Not a frozen instant: metadata and root
   * certificates the notary client makes after the clock is made must be valid by it (a frozen
   * clock made before {@code notary init} saw the root certificate as not valid yet once the init
   * took more than a second, under load).
   */
  private static final class MovableClock extends Clock {
    private volatile Duration offset = Duration.ZERO;

    void advance(Duration by) {
      offset = offset.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.now().plus(offset);
    }
  }

  private static NotaryTrustStore store() {
    return NotaryStores.of(notary.url(), notary.caCertificate());
  }

  /** A store for {@code server}, with its CA copied to {@code caCopy}: it outlives the server. */
  private static NotaryTrustStore store(NotaryProcess server, Path caCopy) throws Exception {
    Files.copy(server.caCertificate(), caCopy);
    return NotaryStores.of(server.url(), caCopy);
  }

  private static DctEvidence v1(DctTrust trust) throws Exception {
    return v1(trust, store());
  }

  private static DctEvidence v1(DctTrust trust, NotaryTrustStore store) throws Exception {
    Future<DctEvidence> f = trust.tag(store, new Gun(GUN), DctVerifier.DOCKER_ROLES, "v1");
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void anUnreachableServerIsAnsweredFromTheLastVerifiedMetadataOnlyUntilItExpires()
      throws Exception {
    NotaryProcess own = NotaryProcess.start();
    NotaryTrustStore store = store(own, dir.resolve("ca.crt"));
    MovableClock clock = new MovableClock();
    // nothing answers from the fresh cache: every request asks the server first
    DctTrust trust = new DctTrust(vertx, dir, clock, Duration.ZERO);
    try {
      NotaryClient client = own.client();
      client.init(GUN).orThrow();
      client.addHash(GUN, "v1", 123, "cd".repeat(32)).orThrow();
      client.publish(GUN).orThrow();
      assertEquals(1, v1(trust, store).signed().size());
    } finally {
      own.close();
    }
    assertEquals(1, v1(trust, store).signed().size(), "server down: the last verified answers");

    clock.advance(Duration.ofDays(15));
    assertUnavailable(trust.tag(store, new Gun(GUN), DctVerifier.DOCKER_ROLES, "v1"));
    // a gateway that never verified this GUN: 503 at once, never an allow
    DctTrust never = new DctTrust(vertx, dir.resolve("never"), new MovableClock(), Duration.ZERO);
    assertUnavailable(never.tag(store, new Gun(GUN), DctVerifier.DOCKER_ROLES, "v1"));
  }

  private static void assertUnavailable(Future<DctEvidence> f) {
    Throwable err =
        assertThrows(
                ExecutionException.class,
                () -> f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS))
            .getCause();
    assertTrue(
        err instanceof OciException e && e.code() == OciErrorCode.UNAVAILABLE, err.toString());
  }

  @Test
  void expiredTimestampMetadataIsRefusedAfreshAndFromTheCache() throws Exception {
    MovableClock clock = new MovableClock();
    DctTrust trust = new DctTrust(vertx, dir.resolve("a"), clock);
    DctEvidence today = v1(trust);
    assertEquals(1, today.signed().size(), today.toString());
    assertEquals("targets", today.signed().get(0).role());

    clock.advance(Duration.ofDays(13));
    assertEquals(1, v1(trust).signed().size(), "still within the timestamp's 14 days");

    clock.advance(Duration.ofDays(2));
    // the metadata verified on day 0 is still cached (30 s of real time): never used past expiry
    DctEvidence cached = v1(trust);
    assertTrue(cached.signed().isEmpty(), cached.toString());
    assertTrue(cached.problem().orElseThrow().contains("expired at"), cached.toString());

    DctEvidence afresh = v1(new DctTrust(vertx, dir.resolve("b"), clock));
    assertTrue(afresh.signed().isEmpty(), afresh.toString());
    assertTrue(afresh.problem().orElseThrow().contains("timestamp"), afresh.toString());
    assertTrue(afresh.problem().orElseThrow().contains("expired at"), afresh.toString());
  }
}
