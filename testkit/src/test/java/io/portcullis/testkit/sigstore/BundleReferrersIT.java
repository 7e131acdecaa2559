package io.portcullis.testkit.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Attaches bundles to an image in Debian's docker-registry, which has no referrers API. */
class BundleReferrersIT {
  private static final PrivateSigstore SIGSTORE = PrivateSigstore.builder().build();
  private static final SigningIdentity GITHUB =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void tools() {
    RequiredTools.check("docker-registry");
  }

  @Test
  void bundlesBecomeReferrersListedInTheTagFallbackAsCosignV3WritesThem() throws Exception {
    try (RegistryProcess registry = RegistryProcess.start()) {
      BundleReferrers referrers = new BundleReferrers(registry.url(), Optional.empty());
      Descriptor image = pushImage(referrers, "team/app");
      Digest imageDigest = Digest.parse(image.digest());
      byte[] signature = SIGSTORE.bundles().imageSignature("team/app", imageDigest, GITHUB);
      byte[] provenance =
          SIGSTORE
              .bundles()
              .provenance("team/app", imageDigest, "https://github.com/actions/runner", GITHUB);

      Descriptor first = referrers.attach("team/app", imageDigest, signature);
      Descriptor second = referrers.attach("team/app", imageDigest, provenance);

      ImageIndex tag = referrers.referrersTag("team/app", imageDigest).orElseThrow();
      assertEquals(List.of(first, second), tag.manifests());
      assertEquals(BundleWriter.MEDIA_TYPE, first.artifactType());
      assertEquals("dsse-envelope", first.annotations().get(BundleReferrers.CONTENT));
      assertEquals(
          BundleWriter.COSIGN_SIGN_V1, first.annotations().get(BundleReferrers.PREDICATE_TYPE));
      assertEquals(
          BundleWriter.SLSA_PROVENANCE_V1,
          second.annotations().get(BundleReferrers.PREDICATE_TYPE));

      byte[] manifestBytes = get(registry.url() + "/v2/team/app/manifests/" + first.digest());
      assertEquals(first.digest(), Digest.sha256(manifestBytes).toString());
      ImageManifest manifest = ManifestCodec.readManifest(manifestBytes);
      assertEquals(BundleWriter.MEDIA_TYPE, manifest.artifactType());
      assertEquals(MediaTypes.OCI_EMPTY, manifest.config().mediaType());
      assertEquals(2, manifest.config().size());
      assertEquals(image.digest(), manifest.subject().digest());
      assertEquals(image.mediaType(), manifest.subject().mediaType());
      assertEquals(image.size(), manifest.subject().size());
      assertEquals(1, manifest.layers().size());
      assertEquals(BundleWriter.MEDIA_TYPE, manifest.layers().get(0).mediaType());
      assertArrayEquals(
          signature,
          get(registry.url() + "/v2/team/app/blobs/" + manifest.layers().get(0).digest()));
      assertEquals("dsse-envelope", manifest.annotations().get(BundleReferrers.CONTENT));
    }
  }

  @Test
  void messageSignatureBundlesSayTheirContentAndHaveNoPredicateType() {
    Map<String, String> a =
        BundleReferrers.annotations(SIGSTORE.bundles().messageSignature(new byte[] {1}, GITHUB));
    assertEquals("message-signature", a.get(BundleReferrers.CONTENT));
    assertNull(a.get(BundleReferrers.PREDICATE_TYPE));
  }

  private static Descriptor pushImage(BundleReferrers registry, String repository) {
    byte[] config =
        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
            .getBytes(StandardCharsets.UTF_8);
    byte[] layer = "not really a tar".getBytes(StandardCharsets.UTF_8);
    registry.uploadBlob(repository, config);
    registry.uploadBlob(repository, layer);
    byte[] manifest =
        ManifestCodec.write(
            new ImageManifest(
                2,
                MediaTypes.OCI_MANIFEST,
                null,
                Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length),
                List.of(
                    Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(layer), layer.length)),
                null,
                Map.of()));
    registry.putManifest(repository, "1", manifest, MediaTypes.OCI_MANIFEST);
    return Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest), manifest.length);
  }

  private byte[] get(String url) throws Exception {
    return send(
            HttpRequest.newBuilder(URI.create(url)).header("Accept", MediaTypes.OCI_MANIFEST).GET(),
            200)
        .body();
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request, int status) throws Exception {
    HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(status, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
    return r;
  }
}
