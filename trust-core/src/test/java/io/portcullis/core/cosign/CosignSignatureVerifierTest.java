package io.portcullis.core.cosign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CosignSignatureVerifierTest {
  private static final Digest IMAGE = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
  private static final Digest OTHER = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
  private final KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
  private final CosignSigner signer = new CosignSigner(Signers.forPrivateKey(pair.getPrivate()));
  private final CosignSignatureVerifier verifier =
      CosignSignatureVerifier.builder().trustedKeys(List.of(pair.getPublic())).build();

  @Test
  void signedLayerVerifies() {
    AttachmentLayer layer = signer.sign("registry.example/app", IMAGE, Map.of());
    VerificationOutcome outcome = verifier.verify(IMAGE, List.of(layer));
    assertTrue(outcome.verified(), outcome.reasons().toString());
    assertEquals(SimpleSigningPayload.MEDIA_TYPE, layer.mediaType());
  }

  @Test
  void wrongImageDigestNamesBothDigests() {
    AttachmentLayer layer = signer.sign("registry.example/app", IMAGE, Map.of());
    VerificationOutcome outcome = verifier.verify(OTHER, List.of(layer));
    assertFalse(outcome.verified());
    assertEquals(
        layer.descriptor().digest() + ": payload signs " + IMAGE + " but image is " + OTHER,
        outcome.reasons().get(0));
  }

  @Test
  void wrongKeyFails() {
    AttachmentLayer layer = signer.sign("registry.example/app", IMAGE, Map.of());
    CosignSignatureVerifier stranger =
        CosignSignatureVerifier.builder()
            .trustedKeys(List.of(KeyAlgorithm.ECDSA_P256.generate().getPublic()))
            .build();
    assertTrue(
        stranger
            .verify(IMAGE, List.of(layer))
            .reasons()
            .get(0)
            .endsWith("signature does not verify with any trusted key"));
  }

  @Test
  void payloadChangedBehindTheDescriptorFailsTheLayerDigest() {
    AttachmentLayer layer = signer.sign("registry.example/app", IMAGE, Map.of());
    byte[] tampered = layer.content();
    tampered[tampered.length - 2] = ' ';
    LayerOutcome outcome =
        verifier
            .verify(IMAGE, List.of(new AttachmentLayer(layer.descriptor(), tampered)))
            .layers()
            .get(0);
    assertEquals(Check.LAYER_DIGEST, outcome.checks().get(0).check());
    assertFalse(outcome.verified());
    assertTrue(outcome.failure().orElseThrow().contains("but its descriptor says"));
  }

  @Test
  void payloadChangedWithAMatchingDescriptorFailsTheSignature() {
    AttachmentLayer layer = signer.sign("registry.example/app", IMAGE, Map.of());
    String forged =
        new String(layer.content(), StandardCharsets.UTF_8).replace(IMAGE.hex(), OTHER.hex());
    AttachmentLayer relabelled =
        AttachmentLayer.create(
            layer.mediaType(),
            forged.getBytes(StandardCharsets.UTF_8),
            layer.descriptor().annotations());
    VerificationOutcome outcome = verifier.verify(OTHER, List.of(relabelled));
    assertFalse(outcome.verified());
    assertTrue(outcome.reasons().get(0).endsWith("signature does not verify with any trusted key"));
  }

  @Test
  void wrongCriticalTypeIsRefused() throws Exception {
    ObjectMapper json = new ObjectMapper();
    ObjectNode payload =
        (ObjectNode)
            json.readTree(SimpleSigningPayload.create("r.example/a", IMAGE, Map.of()).raw());
    ((ObjectNode) payload.get("critical")).put("type", "atomic container signature");
    byte[] raw = json.writeValueAsBytes(payload);
    AttachmentLayer layer = signer.sign(SimpleSigningPayload.parse(raw));

    VerificationOutcome outcome = verifier.verify(IMAGE, List.of(layer));

    assertFalse(outcome.verified());
    assertTrue(outcome.reasons().get(0).contains("critical.type is 'atomic container signature'"));
  }

  @Test
  void missingOrGarbledSignatureAnnotationFails() {
    AttachmentLayer layer = signer.sign("registry.example/app", IMAGE, Map.of());
    for (String value : new String[] {"", "%%%not-base64"}) {
      Map<String, String> annotations = new HashMap<>(layer.descriptor().annotations());
      annotations.put(CosignAnnotations.SIGNATURE, value);
      AttachmentLayer broken =
          AttachmentLayer.create(layer.mediaType(), layer.content(), annotations);
      assertTrue(
          verifier.verify(IMAGE, List.of(broken)).reasons().get(0).contains("no valid base64"));
    }
  }

  @Test
  void tamperedBundleFailsTheTransparencyLogCheck() {
    String dir = "dir-img-cosign-key-rekor-valid";
    AttachmentLayer layer = CosignFixtures.layers(dir).get(0);
    Map<String, String> annotations = new HashMap<>(layer.descriptor().annotations());
    annotations.put(
        CosignAnnotations.BUNDLE,
        annotations.get(CosignAnnotations.BUNDLE).replace("1674251859", "1674251860"));
    AttachmentLayer tampered =
        AttachmentLayer.create(layer.mediaType(), layer.content(), annotations);

    VerificationOutcome outcome =
        CosignSignatureVerifier.builder()
            .trustedKeys(List.of(CosignFixtures.key("cosign2.pub")))
            .rekorKeys(List.of(CosignFixtures.rekorKey()))
            .build()
            .verify(CosignFixtures.imageDigest(dir), List.of(tampered));

    assertFalse(outcome.verified());
    assertTrue(outcome.reasons().get(0).contains("SignedEntryTimestamp does not verify"));
  }

  @Test
  void requiredTransparencyLogRefusesBundlelessSignatures() {
    AttachmentLayer layer = signer.sign("registry.example/app", IMAGE, Map.of());
    VerificationOutcome outcome =
        CosignSignatureVerifier.builder()
            .trustedKeys(List.of(pair.getPublic()))
            .rekorKeys(List.of(KeyAlgorithm.ECDSA_P256.generate().getPublic()))
            .requireTransparencyLog(true)
            .build()
            .verify(IMAGE, List.of(layer));
    assertTrue(outcome.reasons().get(0).contains("no Rekor bundle"));
  }

  @Test
  void bundleOfAnotherSignatureDoesNotVouchForThisOne() {
    // a genuine, validly signed Rekor entry moved onto a different signature layer
    AttachmentLayer logged = CosignFixtures.layers("dir-img-cosign-key-rekor-valid").get(0);
    AttachmentLayer ours = signer.sign("registry.example/app", IMAGE, Map.of());
    Map<String, String> annotations = new HashMap<>(ours.descriptor().annotations());
    annotations.put(
        CosignAnnotations.BUNDLE, logged.annotation(CosignAnnotations.BUNDLE).orElseThrow());
    VerificationOutcome outcome =
        CosignSignatureVerifier.builder()
            .trustedKeys(List.of(pair.getPublic()))
            .rekorKeys(List.of(CosignFixtures.rekorKey()))
            .build()
            .verify(
                IMAGE,
                List.of(AttachmentLayer.create(ours.mediaType(), ours.content(), annotations)));
    assertTrue(
        outcome.reasons().get(0).contains("different payload hash"), outcome.reasons().toString());
  }

  @Test
  void builderNeedsSomethingToTrust() {
    assertThrows(IllegalStateException.class, () -> CosignSignatureVerifier.builder().build());
  }
}
