package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * (the last known digest, with {@code Warning: 110}) and by digest; while it is up, a tag is
 * revalidated (tagTtl 0s here) so a moved tag is seen.
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
      } finally {
        registry.up();
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
