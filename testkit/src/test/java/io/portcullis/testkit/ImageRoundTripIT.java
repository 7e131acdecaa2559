package io.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Builds, pushes and pulls real images through a real registry with umoci and skopeo. */
class ImageRoundTripIT {
  private static final ImageSpec THREE_LAYERS =
      ImageSpec.builder()
          .layers(3, 48 * 1024)
          .seed(7)
          .user("1000:1000")
          .env("API_TOKEN", "not-a-real-secret")
          .label("org.opencontainers.image.source", "https://example.invalid/app")
          .exposedPort("8080/tcp")
          .created(Instant.parse("2019-05-06T07:08:09Z"))
          .entrypoint("/app", "--serve")
          .build();

  private static Skopeo skopeo;
  private static TestImages images;
  private static TempDirectory pulls;

  @BeforeAll
  static void tools() {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    pulls = TempDirectory.create("portcullis-pulls-");
  }

  @AfterAll
  static void cleanUp() {
    pulls.close();
    images.close();
    skopeo.close();
  }

  @Test
  void pushInspectAndPullKeepEveryDigest() {
    try (RegistryProcess registry = RegistryProcess.start()) {
      OciLayout layout = images.build(THREE_LAYERS);
      String ref = registry.ref("team/app:1");
      images.push(layout, ref);

      String raw = skopeo.inspectRaw(ref).orThrow().stdout();
      assertEquals(layout.digest(), digestOf(raw));
      JsonNode inspected = skopeo.inspect(ref).orThrow().json();
      assertEquals(3, inspected.path("Layers").size());
      assertEquals("2019-05-06T07:08:09Z", inspected.path("Created").asText());
      assertTrue(inspected.path("Env").toString().contains("API_TOKEN=not-a-real-secret"));
      assertEquals(
          "https://example.invalid/app",
          inspected.path("Labels").path("org.opencontainers.image.source").asText());

      long blobGetsBefore = registry.blobGets();
      DirImage first = pull(ref, "first");
      DirImage second = pull(ref, "second");
      assertEquals(first, second);
      assertEquals(layout.digest(), first.manifestDigest());
      assertEquals(4, first.blobs().size(), "three layers and a config");
      assertEquals(blobGetsBefore + 8, registry.blobGets(), "each pull fetches every blob once");
    }
  }

  @Test
  void restartKeepsContent() {
    try (RegistryProcess registry = RegistryProcess.start()) {
      OciLayout layout = images.build(ImageSpec.builder().layer(1024).seed(11).build());
      images.push(layout, registry.ref("app:1"));
      registry.restart();
      assertEquals(
          layout.digest(), digestOf(skopeo.inspectRaw(registry.ref("app:1")).orThrow().stdout()));
    }
  }

  @Test
  void authenticatedRegistryTakesCredentialsFromAuthFileOrFlags() {
    try (RegistryProcess registry = RegistryProcess.builder().basicAuth("bob", "pw").start();
        Skopeo loggedIn =
            Skopeo.builder().login(registry.hostPort(), registry.credentials().get()).build();
        Skopeo withFlags = Skopeo.builder().srcCreds(registry.credentials().get()).build()) {
      OciLayout layout = images.build(ImageSpec.builder().layers(2, 1024).seed(3).build());

      CommandResult anonymous = skopeo.copy(layout.ref(), registry.ref("app:1"));
      assertNotEquals(0, anonymous.exitCode());
      assertTrue(anonymous.stderr().contains("authentication required"), anonymous.stderr());

      loggedIn.copy(layout.ref(), registry.ref("app:1"), "--preserve-digests").orThrow();
      withFlags.inspectRaw(registry.ref("app:1")).orThrow();
    }
  }

  @Test
  void theSameSpecBuildsTheSameImage() {
    assertEquals(images.build(THREE_LAYERS).digest(), images.build(THREE_LAYERS).digest());
  }

  @Test
  void multiPlatformIndexIsPushedWithEveryPlatform() {
    try (RegistryProcess registry = RegistryProcess.start()) {
      OciLayout index =
          images.buildIndex(
              ImageSpec.builder().layer(2048).seed(1).platform("linux", "amd64").build(),
              ImageSpec.builder().layer(2048).seed(2).platform("linux", "arm64").build());
      images.push(index, registry.ref("multi:1"));

      JsonNode raw = skopeo.inspectRaw(registry.ref("multi:1")).orThrow().json();
      assertEquals(OciLayout.INDEX_MEDIA_TYPE, raw.path("mediaType").asText());
      assertEquals(2, raw.path("manifests").size());
      assertEquals(
          "arm64", raw.path("manifests").get(1).path("platform").path("architecture").asText());
      String arm = raw.path("manifests").get(1).path("digest").asText();
      skopeo.inspectRaw(registry.ref("multi@" + arm)).orThrow();
    }
  }

  @Test
  void dirImageRejectsABlobThatDoesNotMatchItsName() throws IOException {
    try (RegistryProcess registry = RegistryProcess.start()) {
      OciLayout layout = images.build(ImageSpec.builder().layer(4096).seed(5).build());
      images.push(layout, registry.ref("app:1"));
      Path dir = pulls.resolve("damaged");
      skopeo.copy(registry.ref("app:1"), "dir:" + dir).orThrow();

      String layerDigest =
          skopeo
              .inspectRaw(registry.ref("app:1"))
              .orThrow()
              .json()
              .path("layers")
              .get(0)
              .path("digest")
              .asText();
      Path layer = dir.resolve(layerDigest.substring("sha256:".length()));
      byte[] bytes = Files.readAllBytes(layer);
      bytes[bytes.length / 2] ^= 1;
      Files.write(layer, bytes);
      assertThrows(AssertionError.class, () -> DirImage.read(dir));
    }
  }

  @Test
  void pullThroughProxyFetchesFromTheRemote() {
    try (RegistryProcess remote = RegistryProcess.start()) {
      OciLayout layout = images.build(ImageSpec.builder().layers(2, 4096).seed(13).build());
      images.push(layout, remote.ref("library/app:1"));

      try (RegistryProcess cache = RegistryProcess.builder().proxy(remote.url()).start()) {
        DirImage pulled = pull(cache.ref("library/app:1"), "proxied");
        assertEquals(layout.digest(), pulled.manifestDigest());
        // distinct paths, not a count: distribution 2.8 fetches a cold blob from its remote twice
        long fetched =
            remote.requests().stream()
                .filter(RegistryRequest::isBlobGet)
                .map(RegistryRequest::path)
                .distinct()
                .count();
        assertEquals(3, fetched, "two layers and a config came from the remote");
      }
    }
  }

  private static String digestOf(String manifest) {
    return Sha256.of(manifest.getBytes(StandardCharsets.UTF_8));
  }

  private static DirImage pull(String ref, String name) {
    Path dir = pulls.resolve(name + "-" + System.nanoTime());
    skopeo.copy(ref, "dir:" + dir).orThrow();
    return DirImage.read(dir);
  }
}
