package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.gateway.cache.ManifestCache;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stale-if-error: with the upstream stopped, an image pulled once still pulls with skopeo, by tag
 * (the last known digest, with {@code Warning: 110}, counted in {@code portcullis.cache.stale}) and
 * by digest; while it is up, a tag is revalidated with a HEAD (tagTtl 0s here), never a GET, so a
 * moved tag is seen.
 */
class CacheStaleIT {
  @Test
  void aCachedImageStillPullsWhileTheUpstreamIsDown(@TempDir Path dir) throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    try (RegistryProcess registry = RegistryProcess.start();
        GatewayFixture gateway =
            GatewayFixture.builder(dir.resolve("data"))
                .upstream("internal", registry.url(), "", false)
                .start();
        Skopeo skopeo = Skopeo.create();
        TestImages images = new TestImages(skopeo)) {
      OciLayout v1 = images.build(ImageSpec.builder().layers(2, 200 * 1024).seed(91).build());
      images.push(v1, registry.ref("team/app:latest"));
      String viaGateway = "docker://" + gateway.hostPort() + "/team/app";
      skopeo.copy(viaGateway + ":latest", "dir:" + dir.resolve("warm")).orThrow();

      // tagTtl 0s: the next pull by tag revalidates with a HEAD, never a GET of the manifest.
      String tagPath = "/v2/team/app/manifests/latest";
      long gets = registry.count("GET", tagPath);
      long heads = registry.count("HEAD", tagPath);
      skopeo.copy(viaGateway + ":latest", "dir:" + dir.resolve("revalidated")).orThrow();
      assertEquals(gets, registry.count("GET", tagPath), "no GET of a tag whose digest is known");
      assertTrue(registry.count("HEAD", tagPath) > heads, "the tag was revalidated with a HEAD");

      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      Metrics.globalRegistry.add(meters);
      registry.down();
      try {
        skopeo.copy(viaGateway + ":latest", "dir:" + dir.resolve("stale-tag")).orThrow();
        skopeo.copy(viaGateway + "@" + v1.digest(), "dir:" + dir.resolve("digest")).orThrow();
        HttpResponse<String> r =
            Http.get(gateway.url() + "/v2/team/app/manifests/latest", "Accept", v1.mediaType());
        assertEquals(200, r.statusCode());
        assertEquals(v1.digest(), r.headers().firstValue("Docker-Content-Digest").orElseThrow());
        assertEquals(
            "110 - \"response is stale\"", r.headers().firstValue("Warning").orElseThrow());
        assertEquals(
            503, Http.get(gateway.url() + "/v2/team/app/manifests/never-pulled").statusCode());
        assertTrue(
            meters.counter(ManifestCache.STALE_METRIC, "upstream", "internal").count() >= 2,
            "stale answers are counted");
        assertTrue(
            gateway
                    .gateway()
                    .metrics()
                    .registry()
                    .counter(ManifestCache.STALE_METRIC, "upstream", "internal")
                    .count()
                >= 2,
            "and shown in the gateway's own /metrics");
      } finally {
        registry.up();
        Metrics.globalRegistry.remove(meters);
      }

      OciLayout v2 = images.build(ImageSpec.builder().layers(1, 1024).seed(92).build());
      images.push(v2, registry.ref("team/app:latest"));
      HttpResponse<String> moved =
          Http.get(gateway.url() + "/v2/team/app/manifests/latest", "Accept", v2.mediaType());
      assertEquals(v2.digest(), moved.headers().firstValue("Docker-Content-Digest").orElseThrow());
      assertTrue(moved.headers().firstValue("Warning").isEmpty(), "fresh, not stale");
    }
  }
}
