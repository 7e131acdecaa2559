package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.testing.InteropFixtures;
import io.portcullis.core.testing.PublicGoodTufRepository;
import io.portcullis.core.testing.StaticHttpServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where trusted roots come from: the shipped snapshots, a file, and the TUF-refreshed source
 * against the real public-good TUF repository served from loopback.
 */
class TrustedRootSourceTest {
  private static final Clock TODAY =
      Clock.fixed(Instant.parse("2026-12-05T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path cache;
  private final StaticHttpServer server = new StaticHttpServer();

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shippedSnapshotListsThe2021RekorLogAndTheFulcioCas() {
    TrustedRoot root = TrustedRootSource.shipped().current();

    assertTrue(
        root.tlogs().stream()
            .anyMatch(
                log ->
                    log.baseUrl().equals("https://rekor.sigstore.dev")
                        && log.validity().start().equals(Instant.parse("2021-01-12T11:53:27Z"))),
        "the 2021 Rekor log");
    assertEquals(2, root.certificateAuthorities().size());
    assertTrue(
        root.certificateAuthorities().stream()
            .allMatch(ca -> ca.uri().equals("https://fulcio.sigstore.dev")));
    assertFalse(root.ctlogs().isEmpty());
    assertEquals(TrustedRootRefresh.Outcome.FIXED, TrustedRootSource.shipped().refresh().outcome());
  }

  @Test
  void shippedSnapshotIsTheFixturesPublicGoodRoot() throws Exception {
    assertArrayEquals(
        TrustedRoot.parse(Files.readAllBytes(PublicGoodTufRepository.trustedRoot())).sha256(),
        TrustedRootSource.shipped().current().sha256());
  }

  @Test
  void stagingSnapshotParses() {
    TrustedRoot root = TrustedRootSource.staging().current();
    assertTrue(root.tlogs().stream().anyMatch(l -> l.baseUrl().contains("sigstage")));
  }

  @Test
  void fileSourceReadsATrustedRootAndRefusesOtherFiles() throws Exception {
    Path good = InteropFixtures.path("sigstore/trustroot/trusted_root.json");
    assertFalse(TrustedRootSource.file(good).current().tlogs().isEmpty());
    Path bad = Files.writeString(cache.resolve("bad.json"), "{\"mediaType\": 1}");
    assertThrows(SigstoreFormatException.class, () -> TrustedRootSource.file(bad));
  }

  @Test
  void defaultCacheFollowsXdgCacheHome() {
    assertEquals(
        Path.of("/x/portcullis/sigstore-tuf"),
        TufTrustedRootSource.defaultCacheDirectory(Map.of("XDG_CACHE_HOME", "/x")));
    assertEquals(
        Path.of(System.getProperty("user.home"), ".cache", "portcullis", "sigstore-tuf"),
        TufTrustedRootSource.defaultCacheDirectory(Map.of()));
  }

  private TufTrustedRootSource tuf(Clock clock) {
    return TrustedRootSource.tuf(
        new TufTrustedRootSource.Settings(
            server.uri(),
            Optional.of(PublicGoodTufRepository.firstRoot()),
            cache,
            Duration.ofSeconds(5),
            clock));
  }

  /** A cache left by an earlier run (from the same pinned root) that verified an older root. */
  private TrustedRoot seedCacheWithAnOlderRoot() throws Exception {
    Path older = InteropFixtures.path("sigstore/trustroot/trusted_root.json");
    Files.createDirectories(cache.resolve("targets"));
    Files.copy(older, cache.resolve("targets/trusted_root.json"));
    TufTrustedRootSource.markPinnedRoot(
        cache, Files.readAllBytes(PublicGoodTufRepository.firstRoot()));
    return TrustedRoot.parse(Files.readAllBytes(older));
  }

  @Test
  void aCacheBuiltFromAnotherPinnedRootIsNeitherUsedNorTrusted() throws Exception {
    seedCacheWithAnOlderRoot();
    PublicGoodTufRepository.serve(server);
    refreshed(); // the cache now holds public-good's root.json (version 15) and trusted root
    Path unrelated =
        InteropFixtures.path(
            "sigstore/tuf-vectors/synthetic/root-signing-workspace/repository/1.root.json");
    TufTrustedRootSource source =
        TrustedRootSource.tuf(
            new TufTrustedRootSource.Settings(
                server.uri(),
                Optional.of(unrelated),
                cache,
                Duration.ofSeconds(5),
                PublicGoodTufRepository.VALID_CLOCK));

    TrustedRootRefresh refresh = source.refresh();

    // the repository is not signed by the pinned root's keys: only the stored public-good root
    // (newer than the pinned one, and self-signed) would have vouched for it
    assertEquals(TrustedRootRefresh.Outcome.REFUSED, refresh.outcome(), refresh.message());
    assertFalse(Files.exists(cache.resolve("targets/trusted_root.json")));
  }

  @Test
  void withoutACacheItStartsFromTheShippedSnapshot() {
    TufTrustedRootSource publicGood =
        TrustedRootSource.tuf(
            new TufTrustedRootSource.Settings(
                server.uri(), Optional.empty(), cache, Duration.ofSeconds(5), TODAY));
    assertArrayEquals(
        TrustedRootSource.shipped().current().sha256(), publicGood.current().sha256());
  }

  @Test
  void aRepositoryPinnedByItsOwnRootTrustsNothingBeforeItsFirstRefresh() {
    // a private Sigstore deployment must not trust the public-good CAs and logs meanwhile
    TrustedRoot start = tuf(TODAY).current();
    assertEquals(List.of(), start.certificateAuthorities());
    assertEquals(List.of(), start.tlogs());
    assertEquals(List.of(), start.ctlogs());
    assertEquals(List.of(), start.timestampAuthorities());
  }

  @Test
  void refreshWalksFromTheFirstRootToTheCurrentTrustedRootAndCachesIt() throws Exception {
    TrustedRoot older = seedCacheWithAnOlderRoot();
    PublicGoodTufRepository.serve(server);
    TufTrustedRootSource source = tuf(PublicGoodTufRepository.VALID_CLOCK);
    assertArrayEquals(older.sha256(), source.current().sha256(), "starts from the cache");

    TrustedRootRefresh refresh = source.refresh();

    assertEquals(TrustedRootRefresh.Outcome.UPDATED, refresh.outcome(), refresh.message());
    byte[] published = Files.readAllBytes(PublicGoodTufRepository.trustedRoot());
    assertArrayEquals(TrustedRoot.parse(published).sha256(), source.current().sha256());
    assertArrayEquals(published, Files.readAllBytes(cache.resolve("targets/trusted_root.json")));
    assertEquals(TrustedRootRefresh.Outcome.CURRENT, source.refresh().outcome());
    assertArrayEquals(
        source.current().sha256(),
        tuf(PublicGoodTufRepository.VALID_CLOCK).current().sha256(),
        "a new source starts from the cached verified root");
  }

  @Test
  void withTodaysClockTheExpiredRepositoryIsRefusedAndTheLastVerifiedRootStays() throws Exception {
    seedCacheWithAnOlderRoot();
    PublicGoodTufRepository.serve(server);
    TrustedRoot verified = refreshed();
    TufTrustedRootSource today = tuf(TODAY);

    TrustedRootRefresh refresh = today.refresh();

    assertEquals(TrustedRootRefresh.Outcome.REFUSED, refresh.outcome());
    assertTrue(
        refresh.message().contains("root.json expired at 2026-11-20T13:58:18Z"), refresh.message());
    assertArrayEquals(verified.sha256(), today.current().sha256());
    assertSame(today.current(), refresh.root());
  }

  @Test
  void networkDownKeepsTheCachedRoot() throws Exception {
    seedCacheWithAnOlderRoot();
    PublicGoodTufRepository.serve(server);
    TrustedRoot verified = refreshed();
    server.close();
    TufTrustedRootSource offline = tuf(PublicGoodTufRepository.VALID_CLOCK);

    TrustedRootRefresh refresh = offline.refresh();

    assertEquals(TrustedRootRefresh.Outcome.UNAVAILABLE, refresh.outcome(), refresh.message());
    assertArrayEquals(verified.sha256(), offline.current().sha256());
  }

  @Test
  void tamperedTrustedRootIsRefusedAndNeitherUsedNorCached() throws Exception {
    TrustedRoot older = seedCacheWithAnOlderRoot();
    PublicGoodTufRepository.serve(server);
    byte[] published = Files.readAllBytes(PublicGoodTufRepository.trustedRoot());
    String hash =
        HexFormat.of()
            .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(published));
    byte[] tampered =
        new String(published, StandardCharsets.UTF_8)
            .replace("https://rekor.sigstore.dev", "https://rekor.sigstore.evl")
            .getBytes(StandardCharsets.UTF_8);
    server.put("targets/" + hash + ".trusted_root.json", tampered);
    TufTrustedRootSource source = tuf(PublicGoodTufRepository.VALID_CLOCK);

    TrustedRootRefresh refresh = source.refresh();

    assertEquals(TrustedRootRefresh.Outcome.REFUSED, refresh.outcome());
    assertTrue(refresh.message().contains("sha256"), refresh.message());
    assertArrayEquals(older.sha256(), source.current().sha256());
    assertArrayEquals(
        older.sha256(),
        TrustedRoot.parse(Files.readAllBytes(cache.resolve("targets/trusted_root.json"))).sha256());
  }

  @Test
  void aDamagedCacheIsNotUsed() throws Exception {
    seedCacheWithAnOlderRoot();
    Files.writeString(cache.resolve("targets/trusted_root.json"), "{\"tlogs\": 7}");
    assertEquals(List.of(), tuf(TODAY).current().tlogs());
  }

  @Test
  void aMissingPinnedRootIsAReportedFailureNotAnException() {
    TufTrustedRootSource source =
        TrustedRootSource.tuf(
            new TufTrustedRootSource.Settings(
                server.uri(),
                Optional.of(cache.resolve("no-such-root.json")),
                cache,
                Duration.ofSeconds(5),
                TODAY));

    TrustedRootRefresh refresh = source.refresh();

    assertEquals(TrustedRootRefresh.Outcome.REFUSED, refresh.outcome());
    assertTrue(refresh.message().contains("no-such-root.json"), refresh.message());
    assertFalse(refresh.verified());
  }

  private TrustedRoot refreshed() {
    TufTrustedRootSource source = tuf(PublicGoodTufRepository.VALID_CLOCK);
    TrustedRootRefresh refresh = source.refresh();
    assertEquals(TrustedRootRefresh.Outcome.UPDATED, refresh.outcome(), refresh.message());
    return source.current();
  }
}
