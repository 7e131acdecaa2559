package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker's {@code registry-mirrors} traffic as docker 20.10 sends it ({@code GET
 * /v2/library/alpine/manifests/3}, no {@code ns=}) to a gateway with {@code routing.unprefixed:
 * docker.io}: it reaches the Docker Hub upstream and is judged as {@code docker.io/library/alpine},
 * exactly as the prefixed and containerd spellings are, so a policy scoped to {@code
 * docker.io/library/**} holds however the name is written. No docker daemon runs here; the requests
 * are docker's, sent by a plain HTTP client.
 */
class MirrorRoutingIT {
  static final String ACCEPT = MediaTypes.OCI_MANIFEST + ", " + MediaTypes.DOCKER_MANIFEST;

  @TempDir static Path dir;
  static RegistryProcess hub;
  static GatewayFixture gateway;
  static Skopeo skopeo;
  static TestImages images;
  static OciLayout signed;

  @BeforeAll
  static void start() throws Exception {
    RequiredTools.check("docker-registry", "skopeo", "umoci");
    hub = RegistryProcess.start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
    Files.writeString(dir.resolve("pw"), "release-password\n");
    Signer.keygen(dir, "release");
    images.push(
        images.build(ImageSpec.builder().layers(1, 8 * 1024).seed(81).build()),
        hub.ref("library/alpine:3"));
    signed = images.build(ImageSpec.builder().layers(1, 8 * 1024).seed(82).build());
    images.push(signed, hub.ref("library/signed:1"));
    Signer.sign(dir, "release", hub, "library/signed:1");
    Files.writeString(
        dir.resolve("policy.yaml"),
        """
        version: 1
        trustStores:
          release-keys: {type: cosign, keys: [release.pub]}
        policies:
          - name: hub-official
            scopes: ["docker.io/library/**"]
            mode: enforce
            signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
        """);
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("hub", hub.url(), "docker.io", false)
            .extra(
                "routing: {unprefixed: docker.io}\npolicy: {file: "
                    + dir.resolve("policy.yaml")
                    + "}\naudit: {file: "
                    + dir.resolve("audit.jsonl")
                    + "}\n")
            .start();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(images, skopeo, gateway, hub);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(
      strings = {
        "/v2/library/alpine/manifests/3", // docker registry-mirrors
        "/v2/docker.io/library/alpine/manifests/3", // the gateway's own name
        "/v2/library/alpine/manifests/3?ns=docker.io", // containerd hosts.toml mirror
        "/v2/docker.io/library/alpine/manifests/3?ns=docker.io", // deploy/clients hosts.toml
      })
  void everySpellingOfAnUnsignedHubImageIsDenied(String path) throws Exception {
    HttpResponse<String> r = Http.get(gateway.url() + path, "Accept", ACCEPT);
    assertEquals(403, r.statusCode(), r.body());
    assertEquals("DENIED", Http.errorCode(r));
    assertTrue(r.body().contains("denied by policy 'hub-official'"), r.body());
  }

  @Test
  void aSignedHubImageIsServedToTheMirrorSpellingAndAuditedUnderItsCanonicalName()
      throws Exception {
    HttpResponse<String> r =
        Http.get(gateway.url() + "/v2/library/signed/manifests/1", "Accept", ACCEPT);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(signed.digest(), r.headers().firstValue("Docker-Content-Digest").orElseThrow());
    // Records are appended asynchronously: wait for this one before reading the log.
    String audit =
        AuditRecords.await(
            dir.resolve("audit.jsonl"), "\"repository\":\"docker.io/library/signed\"");
    assertTrue(audit.contains("\"repository\":\"docker.io/library/signed\""), audit);
    assertTrue(!audit.contains("\"repository\":\"library/signed\""), audit);
  }
}
