package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.testing.HostileUpstream;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The blob cache is shared by every upstream; trust in a cached blob is not. An attacker who
 * controls one upstream (a third-party registry the platform team added) and knows the digest of a
 * layer cached from the private upstream claims it: HEAD 200, a manifest naming it, wrong bytes on
 * GET ({@link HostileUpstream}). The private bytes never come back through that upstream, not even
 * after a restart has read its manifest back from disk. An honest second registry that holds the
 * layer serves it once, verified, and from the cache after that; that proof outlives a restart, and
 * an image pulled once through the private upstream still pulls with that upstream down.
 */
class CrossUpstreamIT {
  @TempDir static Path dir;
  static RegistryProcess privateRegistry;
  static RegistryProcess honestRegistry;
  static HostileUpstream hostile;
  static Skopeo skopeo;
  static TestImages images;
  static OciLayout image;
  static String layer;
  static byte[] layerBytes;
  static String hostileManifest;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    privateRegistry = RegistryProcess.start();
    honestRegistry = RegistryProcess.start();
    hostile = HostileUpstream.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    image = images.build(ImageSpec.builder().layers(2, 64 * 1024).seed(1601).build());
    images.push(image, privateRegistry.ref("secret/app:v1"));
    images.push(image, honestRegistry.ref("public/app:v1"));
    List<Forgery.Blob> content = Forgery.contentOf(image);
    Forgery.Blob privateLayer = content.get(2);
    layer = privateLayer.digest();
    layerBytes = Files.readAllBytes(image.blob(layer));
    // What leaks: the digests and sizes of the private image, e.g. from its SBOM.
    for (Forgery.Blob b : content.subList(1, content.size())) {
      hostile.claim(b.digest(), b.size());
    }
    hostileManifest =
        hostile.manifest(
            "latest",
            MediaTypes.OCI_MANIFEST,
            Forgery.manifest(content.get(1), content.subList(2, content.size()), null, null));
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, hostile, honestRegistry, privateRegistry);
  }

  static GatewayFixture gateway(Path data) throws Exception {
    return GatewayFixture.builder(data)
        .upstream("private", privateRegistry.url(), "private", false)
        .upstream("hostile", hostile.url(), "hostile", false)
        .upstream("honest", honestRegistry.url(), "honest", false)
        .start();
  }

  @Test
  void aHostileUpstreamThatClaimsACachedPrivateLayerNeverGetsItsBytes() throws Exception {
    try (GatewayFixture g = gateway(dir.resolve("claims"))) {
      pullPrivate(g, "claims-pull");
      String viaHostile = blobUrl(g, "hostile/evil/app");
      long asked = hostile.blobGets();

      assertNotServed(viaHostile);
      assertNotServed(viaHostile, "Range", "bytes=0-99");
      assertTrue(hostile.blobGets() > asked, "the hostile upstream was asked for the bytes");
      HttpResponse<String> head = Http.send("HEAD", viaHostile, null);
      assertFalse(
          head.headers().firstValue("Accept-Ranges").isPresent(),
          "a HEAD through it is its own answer, not the cache's: " + head.headers());

      // Its manifest naming the layer, pulled through the gateway, proves no bytes either.
      assertEquals(200, g.manifest("hostile/evil/app", "latest").statusCode());
      assertNotServed(viaHostile);

      HttpResponse<byte[]> own = Http.getBytes(blobUrl(g, "private/secret/app"));
      assertEquals(200, own.statusCode());
      assertArrayEquals(layerBytes, own.body(), "the private upstream's own copy is served");
    }
  }

  @Test
  void anHonestUpstreamThatHoldsTheLayerServesItOnceVerifiedThenFromTheCache() throws Exception {
    try (GatewayFixture g = gateway(dir.resolve("honest"))) {
      pullPrivate(g, "honest-pull");
      String viaHonest = blobUrl(g, "honest/public/app");
      long gets = honestGets();

      HttpResponse<byte[]> proof = Http.getBytes(viaHonest);
      assertEquals(200, proof.statusCode());
      assertArrayEquals(layerBytes, proof.body());
      assertEquals(gets + 1, honestGets(), "fetched once from the honest upstream: its proof");

      assertArrayEquals(layerBytes, Http.getBytes(viaHonest).body());
      HttpResponse<byte[]> ranged = Http.getBytes(viaHonest, "Range", "bytes=10-19");
      assertEquals(206, ranged.statusCode());
      assertArrayEquals(Arrays.copyOfRange(layerBytes, 10, 20), ranged.body());
      assertEquals(gets + 1, honestGets(), "then served from the cache");
    }
  }

  @Test
  void sixteenConcurrentClientsOfAnUnprovenUpstreamMakeOneProofGet() throws Exception {
    byte[] bytes = RegistryProtocolIT.random(3 * 1024 * 1024 + 5, 1602);
    Digest digest = CacheBlobIT.upload(privateRegistry, "secret/big", bytes);
    CacheBlobIT.upload(honestRegistry, "public/big", bytes);
    try (GatewayFixture g = gateway(dir.resolve("concurrent"))) {
      String path = "/blobs/" + digest;
      assertArrayEquals(bytes, Http.getBytes(g.url() + "/v2/private/secret/big" + path).body());

      for (HttpResponse<byte[]> r :
          CacheBlobIT.getAtOnce(g.url() + "/v2/honest/public/big" + path, 16)) {
        assertEquals(200, r.statusCode());
        assertArrayEquals(bytes, r.body(), "every client gets the right bytes");
      }
      assertEquals(
          1, honestRegistry.count("GET", "/v2/.*" + path), "16 clients, one proof from upstream");
      assertEquals(1, privateRegistry.count("GET", "/v2/.*" + path));
    }
  }

  @Test
  void theProofsOutliveARestartAndAPulledImageStillPullsWithItsUpstreamDown() throws Exception {
    Path data = dir.resolve("restart");
    try (GatewayFixture first = gateway(data)) {
      pullPrivate(first, "restart-pull");
      assertArrayEquals(layerBytes, Http.getBytes(blobUrl(first, "honest/public/app")).body());
      assertEquals(200, first.manifest("hostile/evil/app", hostileManifest).statusCode());
      // Both are written in the background; this gateway stops without a grace period.
      awaitFile(data.resolve("cache/provers"), "honest");
      awaitFile(data.resolve("cache/manifests"), "sha256-" + hostileManifest.substring(7));
    }
    try (GatewayFixture second = gateway(data)) {
      long gets = honestGets();
      assertArrayEquals(layerBytes, Http.getBytes(blobUrl(second, "honest/public/app")).body());
      assertEquals(gets, honestGets(), "proven before the restart: confirmed by a HEAD, no GET");

      // Read back from disk, the hostile manifest links the layer in its repository: no bytes.
      assertEquals(200, second.manifest("hostile/evil/app", hostileManifest).statusCode());
      assertNotServed(blobUrl(second, "hostile/evil/app"));

      privateRegistry.down();
      try {
        Path offline = dir.resolve("offline");
        skopeo
            .copy(
                "docker://" + second.hostPort() + "/private/secret/app@" + image.digest(),
                "dir:" + offline)
            .orThrow();
        assertEquals(image.digest(), DirImage.read(offline).manifestDigest());
      } finally {
        privateRegistry.up();
      }
    }
  }

  private static void pullPrivate(GatewayFixture g, String into) {
    skopeo
        .copy("docker://" + g.hostPort() + "/private/secret/app:v1", "dir:" + dir.resolve(into))
        .orThrow();
  }

  private static String blobUrl(GatewayFixture g, String repository) {
    return g.url() + "/v2/" + repository + "/blobs/" + layer;
  }

  private static long honestGets() {
    return honestRegistry.count("GET", "/v2/.*/blobs/" + layer);
  }

  /** Waits until a file named {@code name} is somewhere under {@code root}. */
  private static void awaitFile(Path root, String name) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      if (Files.isDirectory(root)) {
        try (Stream<Path> files = Files.walk(root)) {
          if (files.anyMatch(p -> p.getFileName().toString().equals(name))) {
            return;
          }
        }
      }
      assertTrue(System.nanoTime() < deadline, name + " is written under " + root);
      Thread.sleep(20);
    }
  }

  /** No part of the private layer comes back: an error, other bytes, or a broken connection. */
  private static void assertNotServed(String url, String... headers) throws Exception {
    HttpResponse<byte[]> r;
    try {
      r = Http.getBytes(url, headers);
    } catch (IOException reset) {
      return; // the bytes did not match the digest: the gateway broke the connection
    }
    byte[] body = r.body();
    int n = Math.min(body.length, layerBytes.length);
    assertFalse(
        body.length > 0
            && body.length <= layerBytes.length
            && Arrays.equals(body, 0, n, layerBytes, 0, n),
        url + " answered " + r.statusCode() + " with the private bytes");
  }
}
