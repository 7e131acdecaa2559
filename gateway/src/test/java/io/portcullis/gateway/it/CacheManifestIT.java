package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Warm pulls do not reach the upstream: by digest never (manifests and blobs are immutable), by tag
 * not within the upstream's {@code cache.tagTtl}. Counted in the registry's own access log.
 */
class CacheManifestIT {
  @TempDir static Path dir;
  static RegistryProcess registry;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    registry = RegistryProcess.start();
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            // Two listeners whatever the machine: concurrent clients land on both event loops.
            .server("  eventLoops: 2\n")
            .tagTtl("5m")
            .upstream("internal", registry.url(), "", false)
            .start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, registry);
  }

  @Test
  void sixteenConcurrentColdPullsOfOneImageFetchEachBlobOnce() throws Exception {
    OciLayout image = images.build(ImageSpec.builder().layers(3, 1024 * 1024).seed(82).build());
    images.push(image, registry.ref("team/many:v1"));
    String source = "docker://" + gateway.hostPort() + "/team/many:v1";
    var before = EventLoopsIT.perLoop(gateway);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Path>> pulls = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        Path out = dir.resolve("many-" + i);
        pulls.add(
            pool.submit(
                () -> {
                  go.await();
                  skopeo.copy(source, "dir:" + out).orThrow();
                  return out;
                }));
      }
      go.countDown();
      for (Future<Path> pull : pulls) {
        assertEquals(image.digest(), DirImage.read(pull.get()).manifestDigest());
      }
    } finally {
      pool.shutdownNow();
    }
    var served = EventLoopsIT.since(gateway, before);
    assertEquals(2, served.size(), "the pulls were served on both event loops: " + served);
    var blobs = DirImage.read(dir.resolve("many-0")).blobs().keySet();
    assertEquals(4, blobs.size(), "config and three layers");
    for (String blob : blobs) {
      assertEquals(1, registry.count("GET", "/v2/team/many/blobs/" + blob), blob + " fetched once");
    }
  }

  @Test
  void warmPullsByDigestAndByFreshTagReachTheUpstreamZeroTimes() {
    OciLayout image = images.build(ImageSpec.builder().layers(2, 300 * 1024).seed(81).build());
    images.push(image, registry.ref("team/app:v1"));
    String viaGateway = "docker://" + gateway.hostPort() + "/team/app";
    skopeo.copy(viaGateway + ":v1", "dir:" + dir.resolve("cold")).orThrow();
    assertTrue(registry.blobGets() >= 3, "the cold pull fetched config and layers");
    long before = registry.requests().size();

    skopeo.copy(viaGateway + "@" + image.digest(), "dir:" + dir.resolve("by-digest")).orThrow();
    assertEquals(
        before, registry.requests().size(), "a warm pull by digest reaches the upstream 0 times");

    skopeo.copy(viaGateway + ":v1", "dir:" + dir.resolve("by-tag")).orThrow();
    assertEquals(
        before, registry.requests().size(), "a tag within its TTL is not asked upstream either");
  }
}
