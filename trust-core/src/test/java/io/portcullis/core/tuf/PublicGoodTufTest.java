package io.portcullis.core.tuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.testing.PublicGoodTufRepository;
import io.portcullis.core.testing.StaticHttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real public-good Sigstore TUF repository (sigstore/root-signing, 2026-08-21) served from
 * loopback: a client pinned to {@code 1.root.json} walks every root rotation and verifies the chain
 * down to {@code trusted_root.json}.
 */
class PublicGoodTufTest {
  @TempDir Path store;
  private final StaticHttpServer server = new StaticHttpServer();

  @AfterEach
  void stop() {
    server.close();
  }

  private TufClient client(Clock clock) throws Exception {
    PublicGoodTufRepository.serve(server);
    return TufClient.open(
        TufClient.Settings.of(
            new HttpTufRemote(server.uri(), Duration.ofSeconds(5)),
            new TufMetadataStore(store),
            Files.readAllBytes(PublicGoodTufRepository.firstRoot()),
            clock));
  }

  @Test
  void walksFourteenRotationsAndDownloadsTheTrustedRootWithItsHashAndLength() throws Exception {
    TufClient client = client(PublicGoodTufRepository.VALID_CLOCK);

    TargetsMetadata targets = client.refresh();
    byte[] trustedRoot = client.download("trusted_root.json");

    assertEquals(15, client.trustedRoot().version());
    assertEquals(14, targets.version());
    assertArrayEquals(Files.readAllBytes(PublicGoodTufRepository.trustedRoot()), trustedRoot);
    assertTrue(server.requests().contains("16.root.json"), server.requests().toString());
    assertArrayEquals(
        Files.readAllBytes(PublicGoodTufRepository.dir().resolve("metadata/root.json")),
        Files.readAllBytes(store.resolve("root.json")),
        "each verified root is stored");
  }

  @Test
  void aTargetOfTheDelegatedNpmRoleIsFoundThroughTheDelegation() throws Exception {
    TufClient client = client(PublicGoodTufRepository.VALID_CLOCK);
    client.refresh();

    byte[] keys = client.download("registry.npmjs.org/keys.json");

    assertArrayEquals(
        Files.readAllBytes(
            PublicGoodTufRepository.dir().resolve("targets/registry.npmjs.org/keys.json")),
        keys);
    assertTrue(
        server.requests().contains("8.registry.npmjs.org.json"), server.requests().toString());
    assertThrows(TufException.NotFound.class, () -> client.download("registry.npmjs.org/other"));
  }

  @Test
  void todayTheRepositoryIsExpiredAndRefused() throws Exception {
    Clock today = Clock.fixed(Instant.parse("2026-12-05T00:00:00Z"), ZoneOffset.UTC);
    TufClient client = client(today);

    TufException.Expired e = assertThrows(TufException.Expired.class, client::refresh);

    assertTrue(
        e.getMessage().startsWith("15.root.json expired at 2026-11-20T13:58:18Z"), e.getMessage());
  }
}
