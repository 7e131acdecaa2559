package io.portcullis.core.dsse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.AttachmentManifest;
import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.cosign.VerificationOutcome;
import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.Signer;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AttestationVerifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Digest IMAGE = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));
  private final KeyPair pair = KeyAlgorithm.ECDSA_P256.generate();
  private final Signer signer = Signers.forPrivateKey(pair.getPrivate());
  private final AttestationVerifier slsa =
      new AttestationVerifier(List.of(pair.getPublic()), PredicateTypes.SLSA_PROVENANCE_V1);

  private static JsonNode predicate() throws Exception {
    return JSON.readTree("{\"buildDefinition\":{\"buildType\":\"https://example.com/b\"}}");
  }

  @Test
  void attestationLayerIsWhatCosignWrites() throws Exception {
    InTotoStatement statement =
        InTotoStatement.about(
            "registry.example/app", IMAGE, PredicateTypes.SLSA_PROVENANCE_V1, predicate());
    AttachmentLayer layer = CosignAttestations.attest(statement, signer, "");

    assertEquals("application/vnd.dsse.envelope.v1+json", layer.mediaType());
    assertEquals(
        Map.of("predicateType", PredicateTypes.SLSA_PROVENANCE_V1, CosignAnnotations.SIGNATURE, ""),
        layer.descriptor().annotations());
    DsseEnvelope envelope = DsseEnvelope.parse(layer.content());
    assertEquals("application/vnd.in-toto+json", envelope.payloadType());
    JsonNode stmt = JSON.readTree(envelope.payload());
    assertEquals("https://in-toto.io/Statement/v1", stmt.get("_type").asText());
    assertEquals(IMAGE.hex(), stmt.at("/subject/0/digest/sha256").asText());
    assertEquals("registry.example/app", stmt.at("/subject/0/name").asText());
    assertEquals(predicate(), stmt.get("predicate"));
  }

  @Test
  void signedAttestationVerifies() throws Exception {
    AttachmentLayer layer =
        CosignAttestations.attest(
            InTotoStatement.about("app", IMAGE, PredicateTypes.SLSA_PROVENANCE_V1, predicate()),
            signer,
            "");
    VerificationOutcome outcome = slsa.verify(IMAGE, List.of(layer));
    assertTrue(outcome.verified(), outcome.reasons().toString());
  }

  @Test
  void subjectMismatchFails() throws Exception {
    Digest other = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
    AttachmentLayer layer =
        CosignAttestations.attest(
            InTotoStatement.about("app", other, PredicateTypes.SLSA_PROVENANCE_V1, predicate()),
            signer,
            "");
    VerificationOutcome outcome = slsa.verify(IMAGE, List.of(layer));
    assertFalse(outcome.verified());
    assertTrue(outcome.reasons().get(0).contains("do not include image " + IMAGE));
  }

  @Test
  void unexpectedPredicateTypeFailsEvenIfTheUnsignedAnnotationLies() throws Exception {
    AttachmentLayer vuln =
        CosignAttestations.attest(
            InTotoStatement.about("app", IMAGE, PredicateTypes.COSIGN_VULN, predicate()),
            signer,
            "");
    Map<String, String> lying = new HashMap<>(vuln.descriptor().annotations());
    lying.put(CosignAnnotations.PREDICATE_TYPE, PredicateTypes.SLSA_PROVENANCE_V1);
    AttachmentLayer relabelled = AttachmentLayer.create(vuln.mediaType(), vuln.content(), lying);

    VerificationOutcome outcome = slsa.verify(IMAGE, List.of(relabelled));

    assertFalse(outcome.verified());
    assertTrue(
        outcome
            .reasons()
            .get(0)
            .contains("predicate type is '" + PredicateTypes.COSIGN_VULN + "'"));
  }

  @Test
  void untrustedKeyFails() throws Exception {
    AttachmentLayer layer =
        CosignAttestations.attest(
            InTotoStatement.about("app", IMAGE, PredicateTypes.SLSA_PROVENANCE_V1, predicate()),
            Signers.forPrivateKey(KeyAlgorithm.ECDSA_P256.generate().getPrivate()),
            "");
    assertTrue(
        slsa.verify(IMAGE, List.of(layer))
            .reasons()
            .get(0)
            .endsWith("attestation signature does not verify with any trusted key"));
  }

  @Test
  void v01StatementsAsOlderCosignWritesThemAreAccepted() throws Exception {
    InTotoStatement v01 =
        new InTotoStatement(
            InTotoStatement.STATEMENT_V01,
            List.of(new InTotoStatement.Subject("app", Map.of("sha256", IMAGE.hex()))),
            PredicateTypes.COSIGN_CUSTOM,
            JSON.readTree("{\"Data\":\"x\",\"Timestamp\":\"2024-01-01T00:00:00Z\"}"));
    AttachmentLayer layer = CosignAttestations.attest(v01, signer, "");
    assertTrue(
        new AttestationVerifier(List.of(pair.getPublic()), PredicateTypes.COSIGN_CUSTOM)
            .verify(IMAGE, List.of(layer))
            .verified());
  }

  @Test
  void attachingAgainAppendsAndBothVerify() throws Exception {
    AttachmentLayer first =
        CosignAttestations.attest(
            InTotoStatement.about("app", IMAGE, PredicateTypes.SLSA_PROVENANCE_V1, predicate()),
            signer,
            "");
    AttachmentLayer second =
        CosignAttestations.attest(
            InTotoStatement.about("app", IMAGE, PredicateTypes.COSIGN_VULN, predicate()),
            signer,
            "");
    Instant now = Instant.parse("2024-01-01T00:00:00Z");
    ImageManifest existing = AttachmentManifest.create(List.of(first), now).parsed();

    AttachmentManifest appended = AttachmentManifest.append(existing, List.of(second), now);

    Map<String, byte[]> blobs =
        Map.of(
            first.descriptor().digest(), first.content(),
            second.descriptor().digest(), second.content());
    ImageManifest att = appended.parsed();
    assertEquals(2, att.layers().size());
    assertTrue(slsa.verify(IMAGE, att, d -> blobs.get(d.digest())).verified());
    assertTrue(
        new AttestationVerifier(List.of(pair.getPublic()), PredicateTypes.COSIGN_VULN)
            .verify(IMAGE, att, d -> blobs.get(d.digest()))
            .verified());
  }
}
