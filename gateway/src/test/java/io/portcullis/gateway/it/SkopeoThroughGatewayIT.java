package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * skopeo, a real client, pulls and pushes through the gateway: what it gets through the gateway is
 * what it gets from the registry directly, digest for digest.
 */
class SkopeoThroughGatewayIT {
  @TempDir static Path dir;
  static RegistryProcess mirror;
  static RegistryProcess internal;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    mirror = RegistryProcess.start();
    internal = RegistryProcess.start();
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("mirror", mirror.url(), "mirror.example", false)
            .upstream("internal", internal.url(), "", true)
            .start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, mirror, internal);
  }

  @Test
  void multiLayerPullThroughGatewayEqualsDirectPull() {
    OciLayout image =
        images.build(ImageSpec.builder().layers(3, 512 * 1024).seed(11).user("1000").build());
    images.push(image, mirror.ref("team/app:v1"));

    Path viaGateway = dir.resolve("via-gateway");
    Path direct = dir.resolve("direct");
    skopeo.copy(gw("mirror.example/team/app:v1"), "dir:" + viaGateway).orThrow();
    skopeo.copy(mirror.ref("team/app:v1"), "dir:" + direct).orThrow();
    DirImage got = DirImage.read(viaGateway);
    assertEquals(DirImage.read(direct), got);
    assertEquals(image.digest(), got.manifestDigest());
    assertEquals(4, got.blobs().size(), "config and three layers");

    String inspected =
        skopeo.inspect(gw("mirror.example/team/app:v1")).orThrow().json().get("Digest").asText();
    assertEquals(image.digest(), inspected);
  }

  @Test
  void pushThroughGatewayLandsInTheWritableUpstream() {
    OciLayout image = images.build(ImageSpec.builder().layers(2, 300 * 1024).seed(12).build());
    images.push(image, gw("team/pushed:v1"));
    String direct =
        skopeo.inspect(internal.ref("team/pushed:v1")).orThrow().json().get("Digest").asText();
    assertEquals(image.digest(), direct);
    assertTrue(
        internal.count("PATCH", "/v2/team/pushed/blobs/uploads/.*")
                + internal.count("PUT", "/v2/team/pushed/blobs/uploads/.*")
            >= 2);
    // And it reads back through the gateway, byte for byte.
    Path back = dir.resolve("pushed-back");
    skopeo.copy(gw("team/pushed:v1"), "dir:" + back).orThrow();
    assertEquals(image.digest(), DirImage.read(back).manifestDigest());
  }

  @Test
  void multiArchIndexAndItsChildrenPullThrough() {
    OciLayout index =
        images.buildIndex(
            ImageSpec.builder().layers(1, 64 * 1024).seed(13).platform("linux", "amd64").build(),
            ImageSpec.builder().layers(1, 64 * 1024).seed(14).platform("linux", "arm64").build());
    images.push(index, mirror.ref("team/multi:v1"));
    CommandResult raw = skopeo.inspectRaw(gw("mirror.example/team/multi:v1")).orThrow();
    assertTrue(raw.stdout().contains("\"manifests\""), raw.stdout());
    Path viaGateway = dir.resolve("multi-gw");
    Path direct = dir.resolve("multi-direct");
    skopeo.copy(gw("mirror.example/team/multi:v1"), "dir:" + viaGateway, "--all").orThrow();
    skopeo.copy(mirror.ref("team/multi:v1"), "dir:" + direct, "--all").orThrow();
    assertEquals(DirImage.read(direct), DirImage.read(viaGateway));
  }

  @Test
  void pushToReadOnlyUpstreamFailsWithAMessageThatSaysWhy() {
    OciLayout image = images.build(ImageSpec.builder().layers(1, 1024).seed(15).build());
    CommandResult r = skopeo.copy(image.ref(), gw("mirror.example/team/nope:v1"));
    assertFalse(r.ok());
    assertTrue(r.stderr().contains("read-only through this gateway"), r.stderr());
  }

  private static String gw(String repoAndTag) {
    return "docker://" + gateway.hostPort() + "/" + repoAndTag;
  }
}
