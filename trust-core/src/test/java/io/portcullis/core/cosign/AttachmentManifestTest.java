package io.portcullis.core.cosign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttachmentManifestTest {
  private static final Digest IMAGE =
      Digest.parse("sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00");
  private static final Instant NOW = Instant.parse("2024-05-01T10:11:12.345Z");

  @Test
  void tagIsCosignsSigAndAttTag() {
    assertEquals(
        "sha256-634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00.sig",
        AttachmentManifest.tag(IMAGE, AttachmentManifest.SIGNATURE_SUFFIX));
    assertEquals(
        "sha256-634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00.att",
        AttachmentManifest.tag(IMAGE, AttachmentManifest.ATTESTATION_SUFFIX));
  }

  @Test
  void firstManifestIsOciWithCosignsConfigBlob() throws Exception {
    AttachmentLayer layer = CosignFixtures.layers("dir-img-cosign-valid").get(0);
    AttachmentManifest written = AttachmentManifest.create(List.of(layer), NOW);

    ImageManifest manifest = written.parsed();
    assertEquals(2, manifest.schemaVersion());
    assertEquals(MediaTypes.OCI_MANIFEST, manifest.mediaType());
    assertEquals(MediaTypes.OCI_CONFIG, manifest.config().mediaType());
    assertEquals(written.configDigest().toString(), manifest.config().digest());
    assertEquals(written.config().length, manifest.config().size());
    assertEquals(Digest.sha256(written.manifest()), written.digest());
    assertEquals(List.of(layer.descriptor()), manifest.layers());
    assertEquals(
        "{\"architecture\":\"\",\"created\":\"2024-05-01T10:11:12Z\","
            + "\"history\":[{\"created\":\"0001-01-01T00:00:00Z\"}],\"os\":\"\","
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
            + layer.descriptor().digest()
            + "\"]},\"config\":{}}",
        new String(written.config(), StandardCharsets.UTF_8));
    JsonNode layerJson = new ObjectMapper().readTree(written.manifest()).at("/layers/0");
    assertEquals(SimpleSigningPayload.MEDIA_TYPE, layerJson.get("mediaType").asText());
    assertTrue(layerJson.at("/annotations").has(CosignAnnotations.SIGNATURE));
  }

  @Test
  void appendingKeepsEverySignatureAlreadyThere() throws Exception {
    List<AttachmentLayer> existingLayers = CosignFixtures.layers("dir-img-cosign-valid-2");
    ImageManifest existing = AttachmentManifest.create(existingLayers, NOW).parsed();
    KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
    AttachmentLayer added =
        new CosignSigner(Signers.forPrivateKey(pair.getPrivate()))
            .sign("192.168.64.2:5000/cosign-signed-single-sample", IMAGE, Map.of());

    AttachmentManifest appended = AttachmentManifest.append(existing, List.of(added), NOW);

    List<Descriptor> layers = appended.parsed().layers();
    assertEquals(3, layers.size());
    assertEquals(existing.layers(), layers.subList(0, 2), "earlier layers unchanged, in order");
    assertEquals(added.descriptor(), layers.get(2));
    assertEquals(List.of(added), appended.newLayers(), "only the new blob needs uploading");
    assertTrue(
        new String(appended.config(), StandardCharsets.UTF_8)
            .contains(layers.get(0).digest() + "\",\"" + layers.get(1).digest() + "\",\""));

    // all three verify when read back through the manifest
    Map<String, byte[]> blobs = new HashMap<>();
    existingLayers.forEach(l -> blobs.put(l.descriptor().digest(), l.content()));
    blobs.put(added.descriptor().digest(), added.content());
    VerificationOutcome withCosignKey =
        CosignFixturesTest.withKey("cosign.pub")
            .verify(
                IMAGE,
                AttachmentLayer.fromManifest(
                    ManifestCodec.readManifest(appended.manifest()),
                    SimpleSigningPayload.MEDIA_TYPE,
                    d -> blobs.get(d.digest())));
    assertEquals(2, withCosignKey.verifiedLayers().size());
    assertEquals(3, withCosignKey.layers().size());
  }

  @Test
  void appendKeepsAnExistingDockerMediaType() {
    AttachmentLayer layer = CosignFixtures.layers("dir-img-cosign-valid").get(0);
    ImageManifest docker =
        new ImageManifest(
            2,
            MediaTypes.DOCKER_MANIFEST,
            null,
            Descriptor.of(MediaTypes.DOCKER_CONFIG, IMAGE, 10),
            List.of(layer.descriptor()),
            null,
            null);
    AttachmentManifest appended = AttachmentManifest.append(docker, List.of(layer), NOW);
    assertEquals(MediaTypes.DOCKER_MANIFEST, appended.parsed().mediaType());
    assertEquals(MediaTypes.DOCKER_CONFIG, appended.parsed().config().mediaType());
  }
}
