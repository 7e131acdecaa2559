package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests, tags and trust evidence outlive a restart of the gateway (the packaged jar, its own
 * JVM): a platform team restarting its gateway during an upstream outage still pulls what it had
 * cached, by tag (stale, with {@code Warning: 110}) and by digest, and an enforced image is
 * verified again from disk. A persisted manifest damaged while the gateway was down is never
 * served.
 */
class CacheRestartIT {
  private static final String STALE = "110 - \"response is stale\"";

  @Test
  void aCachedImagePullsAfterARestartWhileTheUpstreamIsDown(@TempDir Path dir) throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    try (RegistryProcess registry = RegistryProcess.start();
        Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      OciLayout v1 = images.build(ImageSpec.builder().layers(2, 100 * 1024).seed(501).build());
      images.push(v1, registry.ref("team/app:latest"));
      Digest digest = Digest.parse(v1.digest());
      String tagPath = "/v2/team/app/manifests/latest";

      try (GatewayProcess first = GatewayProcess.inFrontOf(dir, registry.url())) {
        skopeo.copy(docker(first, "team/app:latest"), "dir:" + dir.resolve("warm")).orThrow();
      }
      Path persisted = manifestFile(dir, digest);
      assertTrue(Files.isRegularFile(persisted), "the manifest is on disk: " + persisted);

      registry.down();
      try (GatewayProcess second = GatewayProcess.inFrontOf(dir, registry.url())) {
        Path byTag = dir.resolve("by-tag");
        skopeo.copy(docker(second, "team/app:latest"), "dir:" + byTag).orThrow();
        assertEquals(v1.digest(), DirImage.read(byTag).manifestDigest());
        Path byDigest = dir.resolve("by-digest");
        skopeo.copy(docker(second, "team/app@" + v1.digest()), "dir:" + byDigest).orThrow();
        assertEquals(v1.digest(), DirImage.read(byDigest).manifestDigest());

        HttpResponse<String> r = Http.get(second.url() + tagPath, "Accept", v1.mediaType());
        assertEquals(200, r.statusCode());
        assertEquals(v1.digest(), r.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals(STALE, r.headers().firstValue("Warning").orElseThrow());
        assertEquals(
            503, Http.get(second.url() + "/v2/team/app/manifests/never-pulled").statusCode());
      }

      // Bit rot in the persisted manifest while the gateway is down: never served.
      byte[] rotten = Files.readAllBytes(persisted);
      rotten[rotten.length - 2] ^= 0x01;
      Files.write(persisted, rotten);
      try (GatewayProcess third = GatewayProcess.inFrontOf(dir, registry.url())) {
        HttpResponse<String> byTag = Http.get(third.url() + tagPath, "Accept", v1.mediaType());
        assertEquals(503, byTag.statusCode(), byTag.body());
        assertEquals("UNAVAILABLE", Http.errorCode(byTag));
        HttpResponse<String> byDigest =
            Http.get(third.url() + "/v2/team/app/manifests/" + v1.digest());
        assertEquals(503, byDigest.statusCode(), byDigest.body());
        assertFalse(Files.exists(persisted), "the damaged file was dropped");

        registry.up();
        long gets = registry.count("GET", tagPath);
        HttpResponse<String> fresh = Http.get(third.url() + tagPath, "Accept", v1.mediaType());
        assertEquals(200, fresh.statusCode());
        assertEquals(
            v1.digest(), fresh.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertTrue(fresh.headers().firstValue("Warning").isEmpty(), "fetched, not stale");
        assertEquals(gets + 1, registry.count("GET", tagPath), "fetched again from the upstream");
      }
      assertTrue(Files.isRegularFile(persisted), "and persisted again, whole");
    }
  }

  /**
   * A blob whose last byte the client already has is in the cache once a graceful shutdown is over,
   * every time: the response ends when the fill is verified, before its file is flushed and moved
   * into place, and SIGTERM comes right after it. (Vert.x's class-path file cache deleted its
   * directory on SIGTERM, after which every file-system call failed and such a fill was lost.)
   */
  @Test
  void aBlobJustServedIsCommittedBeforeAGracefulShutdownEnds(@TempDir Path dir) throws Exception {
    RequiredTools.check("docker-registry");
    try (RegistryProcess registry = RegistryProcess.start()) {
      for (int round = 0; round < 5; round++) {
        LargeBlob blob = LargeBlob.of(8L * 1024 * 1024, 600 + round);
        blob.upload(Http.CLIENT, registry.url(), "team/blobs");
        String log;
        try (GatewayProcess gateway = GatewayProcess.inFrontOf(dir, registry.url())) {
          LargeBlob.Received got =
              LargeBlob.fetch(Http.CLIENT, gateway.url() + "/v2/team/blobs/blobs/" + blob.digest());
          assertEquals(200, got.status());
          assertEquals(blob.digest(), got.digest());
          // SIGTERM at once, as close() sends it, while the fill may still be committing.
          gateway.close();
          log = gateway.log();
        }
        Path cached = dir.resolve("data/cache/blobs/sha256/" + blob.digest().hex());
        assertTrue(Files.isRegularFile(cached), "round " + round + ": committed\n" + log);
        assertEquals(blob.size(), Files.size(cached), "round " + round + ": whole");
        assertFalse(log.contains("could not store"), log);
        assertFalse(log.contains("without a clean close"), log);
      }
    }
  }

  /**
   * A hit in flight at SIGTERM is drained whole and keeps its blob: the connection closes as the
   * response ends, the send then reports the closed connection, and that once dropped the blob as
   * unreadable, so a restart during an outage missed it.
   */
  @Test
  void aHitDrainedAtShutdownKeepsItsBlob(@TempDir Path dir) throws Exception {
    RequiredTools.check("docker-registry");
    try (RegistryProcess registry = RegistryProcess.start()) {
      LargeBlob blob = LargeBlob.of(64L * 1024 * 1024, 610);
      blob.upload(Http.CLIENT, registry.url(), "team/hit");
      String path = "/v2/team/hit/blobs/" + blob.digest();
      String log;
      try (GatewayProcess gateway = GatewayProcess.inFrontOf(dir, registry.url())) {
        assertEquals(200, LargeBlob.fetch(Http.CLIENT, gateway.url() + path).status());
        java.net.URI url = java.net.URI.create(gateway.url());
        try (java.net.Socket s = new java.net.Socket(url.getHost(), url.getPort())) {
          s.getOutputStream()
              .write(
                  ("GET " + path + " HTTP/1.1\r\nHost: gw\r\n\r\n")
                      .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
          java.io.InputStream in = s.getInputStream();
          byte[] first = in.readNBytes(1024 * 1024);
          String head = new String(first, 0, 2048, java.nio.charset.StandardCharsets.ISO_8859_1);
          assertTrue(head.startsWith("HTTP/1.1 200"), head);
          gateway.terminate();
          long body = first.length - (head.indexOf("\r\n\r\n") + 4);
          body += in.readAllBytes().length;
          assertEquals(blob.size(), body, "the hit in flight arrived whole");
        }
        assertTrue(gateway.awaitExit(java.time.Duration.ofSeconds(30)), "exits once drained");
        log = gateway.log();
      }
      assertFalse(log.contains("dropped"), log);
      Path cached = dir.resolve("data/cache/blobs/sha256/" + blob.digest().hex());
      assertEquals(blob.size(), Files.size(cached), "still cached");
    }
  }

  private static final String POLICY =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [release.pub]}
        release-ca: {type: x509, certificates: [pki/root.crt]}
      policies:
        - name: two-party
          scopes: ["prod/**"]
          mode: enforce
          signatures:
            allOf:
              - {type: cosign, trustStore: release-keys}
              - {type: notation, trustStore: release-ca, identities: ["*"]}
      """;

  @Test
  void anEnforcedImageIsVerifiedFromDiskAfterARestartWhileTheUpstreamIsDown(@TempDir Path dir)
      throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    CacheEnforcedIT.makeReleaseKeys(dir);
    Path policy = Files.writeString(dir.resolve("policy.yaml"), POLICY);
    try (RegistryProcess registry = RegistryProcess.start();
        Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      OciLayout image = images.build(ImageSpec.builder().layers(1, 64 * 1024).seed(502).build());
      images.push(image, registry.ref("prod/app:v1"));
      OciLayout unsigned = images.build(ImageSpec.builder().layers(1, 1024).seed(503).build());
      images.push(unsigned, registry.ref("prod/unsigned:v1"));
      CacheEnforcedIT.signWithCosignAndNotation(dir, registry, "prod/app:v1");

      try (GatewayProcess first = enforcing(dir, registry, policy)) {
        skopeo.copy(docker(first, "prod/app:v1"), "dir:" + dir.resolve("warm")).orThrow();
        assertEquals(403, Http.get(first.url() + "/v2/prod/unsigned/manifests/v1").statusCode());
      }

      registry.down();
      try (GatewayProcess second = enforcing(dir, registry, policy)) {
        Path out = dir.resolve("offline");
        skopeo.copy(docker(second, "prod/app:v1"), "dir:" + out).orThrow();
        assertEquals(image.digest(), DirImage.read(out).manifestDigest());
        // Nothing cached vouches for the unsigned image: still refused, never let through.
        int refused = Http.get(second.url() + "/v2/prod/unsigned/manifests/v1").statusCode();
        assertTrue(refused == 403 || refused == 503, "fails closed: " + refused);
      }
    }
  }

  private static GatewayProcess enforcing(Path dir, RegistryProcess registry, Path policy)
      throws Exception {
    return GatewayProcess.inFrontOfWith(dir, registry.url(), "policy: {file: " + policy + "}\n");
  }

  private static String docker(GatewayProcess gateway, String ref) {
    return "docker://" + gateway.url().substring("http://".length()) + "/" + ref;
  }

  /** The one persisted copy of {@code digest} under the cache's manifest directory. */
  private static Path manifestFile(Path dir, Digest digest) throws Exception {
    try (Stream<Path> files = Files.walk(dir.resolve("data/cache/manifests"))) {
      List<Path> found =
          files
              .filter(p -> p.getFileName().toString().equals("sha256-" + digest.hex()))
              .filter(p -> p.getParent().getFileName().toString().equals("manifests"))
              .toList();
      assertEquals(1, found.size(), "one copy of " + digest + ": " + found);
      return found.get(0);
    }
  }
}
