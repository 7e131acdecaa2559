package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.ArtifactSource;
import io.portcullis.gateway.upstream.Upstream;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Referrers;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache as a wrapper of another {@link ArtifactSource}: what it answers itself and what it asks
 * the wrapped source, counted on a fake of that source (no upstream, no sleeps: a tag TTL of zero
 * makes every tag due for revalidation).
 */
class ManifestCacheTest {
  private static final String ACCEPT = MediaTypes.OCI_MANIFEST;
  private static final Fetched IMAGE = fetched("{\"schemaVersion\":2}");

  @TempDir Path dir;
  private Vertx vertx;
  private FakeSource upstream;
  private final List<ManifestCache> opened = new ArrayList<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    upstream = new FakeSource();
  }

  @AfterEach
  void stop() throws Exception {
    for (ManifestCache cache : opened) {
      await(cache.settle(Duration.ofSeconds(10)));
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  void aCachedDigestIsNotAskedForAgain() {
    UpstreamRoute route = route(Duration.ofHours(1));
    upstream.manifests.put(IMAGE.digest().toString(), IMAGE);
    for (int i = 0; i < 3; i++) {
      Fetched f = await(route.artifacts().manifest(route, IMAGE.digest().toString(), ACCEPT)).get();
      assertEquals(IMAGE.digest(), f.digest());
    }
    assertEquals(1, upstream.gets, "fetched once");
    assertTrue(await(route.artifacts().held(route, IMAGE.digest())).isPresent());
  }

  @Test
  void aTagWithinItsTtlIsServedFromTheCacheAndRevalidatedByHeadAfterIt() {
    UpstreamRoute fresh = route(Duration.ofHours(1));
    upstream.manifests.put("v1", IMAGE);
    await(fresh.artifacts().manifest(fresh, "v1", ACCEPT));
    await(fresh.artifacts().manifest(fresh, "v1", ACCEPT));
    assertEquals(1, upstream.gets);
    assertEquals(0, upstream.heads, "within the TTL: no request at all");

    UpstreamRoute due = route(Duration.ZERO);
    await(due.artifacts().manifest(due, "v1", ACCEPT));
    await(due.artifacts().manifest(due, "v1", ACCEPT));
    assertEquals(2, upstream.gets, "one GET per cache");
    assertEquals(1, upstream.heads, "after the TTL: a HEAD that confirms the digest, no GET");
  }

  @Test
  void anOutageServesTheLastKnownManifestOfATagMarkedStale() {
    UpstreamRoute route = route(Duration.ZERO);
    upstream.manifests.put("v1", IMAGE);
    assertFalse(await(route.artifacts().manifest(route, "v1", ACCEPT)).get().stale());

    upstream.failure = OciException.withStatus(OciErrorCode.UNAVAILABLE, 502, "down");
    Fetched stale = await(route.artifacts().manifest(route, "v1", ACCEPT)).get();
    assertTrue(stale.stale(), "marked stale");
    assertEquals(IMAGE.digest(), stale.digest());
    assertTrue(await(route.artifacts().lastKnown(route, "v1", ACCEPT, "down")).get().stale());
    OciException never =
        assertThrows(
            OciException.class,
            () -> await(route.artifacts().manifest(route, "never-pulled", ACCEPT)));
    assertEquals(502, never.status(), "nothing to fall back on: the upstream's failure");
  }

  @Test
  void aRefusalIsNeverHiddenBehindAStaleAnswer() {
    UpstreamRoute route = route(Duration.ZERO);
    upstream.manifests.put("v1", IMAGE);
    await(route.artifacts().manifest(route, "v1", ACCEPT));
    upstream.headStatus = 401;
    upstream.failure = OciException.of(OciErrorCode.DENIED, "no access");
    OciException e =
        assertThrows(
            OciException.class, () -> await(route.artifacts().manifest(route, "v1", ACCEPT)));
    assertEquals(OciErrorCode.DENIED, e.code());
  }

  @Test
  void theAbsenceOfATagIsRememberedBriefly() {
    UpstreamRoute route = route(Duration.ofHours(1));
    String sig = IMAGE.digest().referrersTag() + ".sig";
    assertTrue(await(route.artifacts().manifest(route, sig, ACCEPT)).isEmpty());
    assertTrue(await(route.artifacts().manifest(route, sig, ACCEPT)).isEmpty());
    assertEquals(1, upstream.gets, "a missing signature tag is not asked for again at once");
  }

  @Test
  void smallBlobsAreKeptAndChangedTagsForgotten() {
    UpstreamRoute route = route(Duration.ofHours(1));
    byte[] payload = "payload".getBytes(StandardCharsets.UTF_8);
    upstream.blob = payload;
    Digest d = Digest.sha256(payload);
    assertSame(payload, await(route.artifacts().blob(route, d, 1024)));
    await(route.artifacts().blob(route, d, 1024));
    assertEquals(1, upstream.blobs);

    upstream.manifests.put("v1", IMAGE);
    await(route.artifacts().manifest(route, "v1", ACCEPT));
    await(route.artifacts().deletedTag(route, "v1"));
    await(route.artifacts().manifest(route, "v1", ACCEPT));
    assertEquals(2, upstream.gets, "a tag deleted through the gateway is fetched again");

    await(route.artifacts().deleted(route, IMAGE.digest()));
    await(route.artifacts().manifest(route, "v1", ACCEPT));
    assertEquals(3, upstream.gets, "a manifest deleted through the gateway drops its tags too");
  }

  @Test
  void aCachedTagIsServedOnlyToAnAcceptThatNamesItsWholeMediaType() {
    UpstreamRoute route = route(Duration.ofHours(1));
    byte[] bytes = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    // An upstream's Content-Type that is only the start of the type the client accepts.
    upstream.manifests.put(
        "v1", new Fetched(bytes, "application/vnd.oci.image", Digest.sha256(bytes)));
    await(route.artifacts().manifest(route, "v1", "application/vnd.oci.image"));
    await(route.artifacts().manifest(route, "v1", MediaTypes.OCI_INDEX + ", " + ACCEPT));
    assertEquals(2, upstream.gets, "not answered from the cache with a type nobody asked for");
    await(route.artifacts().manifest(route, "v1", "text/x; q=1, application/vnd.oci.image;q=0.5"));
    assertEquals(2, upstream.gets, "a list entry with parameters names it");
  }

  @Test
  void tagsOfLongNamesStayWithinTheMemoryBoundByWeightNotByCount() {
    // Any reader can make the gateway remember tags (or their absence) under names of up to 255
    // and 128 characters; counted entries of such keys took some 65 MiB (100,000 of them).
    long bound = 1024 * 1024;
    CachedTags tags = new CachedTags(null, null, null, null, null, bound);
    String name = "team/" + "n".repeat(RepositoryName.MAX_LENGTH - 5);
    UpstreamRoute route =
        new UpstreamRoute(upstream(Duration.ofHours(1)), RepositoryName.of(name), name, name);
    int tagLength = 128;
    for (int i = 0; i < 20_000; i++) {
      String tag = String.format("%0" + tagLength + "d", i);
      if (i % 2 == 0) {
        tags.absent(route, tag);
      } else {
        tags.resolved(route, tag, IMAGE.digest(), 0);
      }
    }
    long keyLength = route.upstreamRepository().length() + 1 + tagLength;
    assertTrue(
        tags.size() <= bound / (keyLength + MemoryBound.ENTRY_OVERHEAD),
        "at most the bound's worth of entries: " + tags.size());
    assertTrue(tags.size() > 0, "but not nothing");
  }

  @Test
  void anEntryWeighsItsKeyAndPayloadAndAFixedOverhead() {
    // A 2-byte manifest under a short key is not 10 bytes of heap.
    assertEquals(MemoryBound.ENTRY_OVERHEAD + 10, MemoryBound.weight("12345678", 2));
    assertEquals(Integer.MAX_VALUE, MemoryBound.weight("k", Long.MAX_VALUE / 2));
  }

  private UpstreamRoute route(Duration tagTtl) {
    ManifestCache cache =
        await(
            ManifestCache.open(
                vertx,
                dir.resolve("cache-" + tagTtl.toMillis()),
                Long.MAX_VALUE,
                GatewayMetrics.inMemory(),
                null,
                upstream));
    opened.add(cache);
    return new UpstreamRoute(
        upstream(tagTtl), cache, RepositoryName.of("team/app"), "team/app", "team/app", null);
  }

  private Upstream upstream(Duration tagTtl) {
    UpstreamConfig config =
        new UpstreamConfig(
            "internal",
            URI.create("http://127.0.0.1:1"),
            "",
            Optional.empty(),
            Optional.empty(),
            false,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            tagTtl,
            false);
    return new Upstream(vertx, config);
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 30 s", e);
    }
  }

  private static Fetched fetched(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return new Fetched(bytes, MediaTypes.OCI_MANIFEST, Digest.sha256(bytes));
  }

  /** The wrapped source: answers from maps, counts what it was asked, fails on demand. */
  private static final class FakeSource implements ArtifactSource {
    final Map<String, Fetched> manifests = new HashMap<>();
    byte[] blob;
    OciException failure;
    int headStatus = 200;
    int gets;
    int heads;
    int blobs;

    @Override
    public Future<Optional<Fetched>> manifest(
        UpstreamRoute route, String reference, String accept) {
      gets++;
      return failure != null
          ? Future.failedFuture(failure)
          : Future.succeededFuture(Optional.ofNullable(manifests.get(reference)));
    }

    @Override
    public Future<byte[]> blob(UpstreamRoute route, Digest digest, int maxBytes) {
      blobs++;
      return Future.succeededFuture(blob);
    }

    @Override
    public Future<Referrers> referrers(UpstreamRoute route, Digest subject, String artifactType) {
      return Future.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public Future<Head> head(UpstreamRoute route, String reference, String accept) {
      heads++;
      if (failure != null && headStatus == 200) {
        return Future.failedFuture(failure);
      }
      Fetched f = manifests.get(reference);
      return Future.succeededFuture(
          new Head(f == null ? 404 : headStatus, f == null ? null : f.digest().toString()));
    }
  }
}
