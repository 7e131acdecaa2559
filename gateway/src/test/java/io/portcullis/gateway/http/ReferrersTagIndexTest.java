package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.http.ReferrersTagIndex.Referrer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReferrersTagIndexTest {
  private static final Digest SUBJECT = Digest.sha256(new byte[] {1});
  private static final Digest EMPTY = Digest.sha256("{}".getBytes(StandardCharsets.UTF_8));

  @Test
  void aManifestsDescriptorCarriesItsArtifactTypeElseItsConfigType() {
    byte[] typed = manifest("application/vnd.example.sbom", MediaTypes.OCI_EMPTY);
    Referrer r = Referrer.of(typed, MediaTypes.OCI_MANIFEST, Digest.sha256(typed)).orElseThrow();
    assertEquals(SUBJECT, r.subject());
    assertEquals("application/vnd.example.sbom", r.descriptor().artifactType());
    assertEquals(typed.length, r.descriptor().size());
    assertEquals(Digest.sha256(typed).toString(), r.descriptor().digest());
    assertEquals(MediaTypes.OCI_MANIFEST, r.descriptor().mediaType());
    assertEquals(Map.of("k", "v"), r.descriptor().annotations());

    byte[] untyped = manifest(null, "application/vnd.example.config+json");
    assertEquals(
        "application/vnd.example.config+json",
        Referrer.of(untyped, null, Digest.sha256(untyped))
            .orElseThrow()
            .descriptor()
            .artifactType());
  }

  @Test
  void anIndexWithASubjectIsAReferrer() {
    byte[] index =
        ManifestCodec.write(
            new ImageIndex(
                2,
                MediaTypes.OCI_INDEX,
                "application/vnd.example.bundle",
                List.of(),
                Descriptor.of(MediaTypes.OCI_MANIFEST, SUBJECT, 1),
                null));
    Referrer r = Referrer.of(index, MediaTypes.OCI_INDEX, Digest.sha256(index)).orElseThrow();
    assertEquals(SUBJECT, r.subject());
    assertEquals(MediaTypes.OCI_INDEX, r.descriptor().mediaType());
    assertEquals("application/vnd.example.bundle", r.descriptor().artifactType());
  }

  @Test
  void manifestsWithoutAValidSubjectAreNoReferrers() {
    for (String body :
        List.of(
            "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + EMPTY + "\"},\"layers\":[]}",
            "{\"schemaVersion\":2,\"subject\":{\"digest\":\"sha256:nothex\"}}",
            "{\"schemaVersion\":2,\"subject\":{}}",
            "{\"schemaVersion\":2,\"subject\":\"a string\"}",
            "not json")) {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      assertTrue(Referrer.of(bytes, null, Digest.sha256(bytes)).isEmpty(), body);
    }
  }

  private static byte[] manifest(String artifactType, String configType) {
    return ManifestCodec.write(
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            artifactType,
            Descriptor.of(configType, EMPTY, 2),
            List.of(Descriptor.of(MediaTypes.OCI_EMPTY, EMPTY, 2)),
            Descriptor.of(MediaTypes.OCI_MANIFEST, SUBJECT, 1),
            Map.of("k", "v")));
  }
}
