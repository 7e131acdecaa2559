package io.portcullis.core.dsse;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.Check;
import io.portcullis.core.cosign.CheckResult;
import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.cosign.LayerOutcome;
import io.portcullis.core.cosign.VerificationOutcome;
import io.portcullis.core.keys.SignatureVerifier;
import io.portcullis.core.keys.Verifiers;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import java.io.IOException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Verifies cosign attestations of an image: each {@value DsseEnvelope#MEDIA_TYPE} layer of the
 * {@code .att} manifest must match its descriptor, carry a DSSE signature by a trusted key over an
 * {@code application/vnd.in-toto+json} payload, hold an in-toto statement of the expected predicate
 * type (read from the signed statement, never from the unsigned layer annotation), and name the
 * image digest among its subjects. See the <a
 * href="https://github.com/in-toto/attestation/blob/main/docs/validation.md">in-toto validation
 * model</a>.
 */
public final class AttestationVerifier {
  private final List<SignatureVerifier> keys;
  private final String predicateType;

  public AttestationVerifier(List<PublicKey> trustedKeys, String predicateType) {
    if (trustedKeys.isEmpty()) {
      throw new IllegalArgumentException("configure at least one trusted key");
    }
    this.keys = trustedKeys.stream().map(Verifiers::forPublicKey).toList();
    this.predicateType = predicateType;
  }

  public VerificationOutcome verify(
      Digest image, ImageManifest attestations, AttachmentLayer.BlobFetcher fetcher)
      throws IOException {
    return verify(
        image, AttachmentLayer.fromManifest(attestations, DsseEnvelope.MEDIA_TYPE, fetcher));
  }

  /** Layers of other media types are ignored. */
  public VerificationOutcome verify(Digest image, List<AttachmentLayer> layers) {
    List<LayerOutcome> outcomes = new ArrayList<>();
    for (AttachmentLayer layer : layers) {
      if (DsseEnvelope.MEDIA_TYPE.equals(layer.mediaType())) {
        outcomes.add(verifyLayer(image, layer));
      }
    }
    return new VerificationOutcome(image, outcomes);
  }

  private LayerOutcome verifyLayer(Digest image, AttachmentLayer layer) {
    List<CheckResult> checks = new ArrayList<>();
    String digest = layer.descriptor().digest();
    Digest actual = Digest.sha256(layer.content());
    if (!actual.toString().equals(digest)) {
      return done(
          digest,
          checks,
          CheckResult.fail(
              Check.LAYER_DIGEST,
              "layer content hashes to " + actual + " but its descriptor says " + digest));
    }
    checks.add(CheckResult.pass(Check.LAYER_DIGEST, "layer content matches " + digest));

    DsseEnvelope envelope;
    try {
      envelope = DsseEnvelope.parse(layer.content());
    } catch (InvalidPayloadException e) {
      return done(digest, checks, CheckResult.fail(Check.SIGNATURE, e.getMessage()));
    }
    Optional<DsseSignature> signature = envelope.verifiedSignature(keys);
    if (signature.isEmpty()) {
      return done(
          digest,
          checks,
          CheckResult.fail(
              Check.SIGNATURE, "attestation signature does not verify with any trusted key"));
    }
    checks.add(CheckResult.pass(Check.SIGNATURE, "DSSE signature verified"));

    if (!DsseEnvelope.IN_TOTO_PAYLOAD_TYPE.equals(envelope.payloadType())) {
      return done(
          digest,
          checks,
          CheckResult.fail(
              Check.PAYLOAD_TYPE,
              "payloadType is '"
                  + envelope.payloadType()
                  + "', expected '"
                  + DsseEnvelope.IN_TOTO_PAYLOAD_TYPE
                  + "'"));
    }
    InTotoStatement statement;
    try {
      statement = InTotoStatement.parse(envelope.payload());
    } catch (InvalidPayloadException e) {
      return done(digest, checks, CheckResult.fail(Check.PAYLOAD_TYPE, e.getMessage()));
    }
    if (!predicateType.equals(statement.predicateType())) {
      return done(
          digest,
          checks,
          CheckResult.fail(
              Check.PAYLOAD_TYPE,
              "predicate type is '"
                  + statement.predicateType()
                  + "', expected '"
                  + predicateType
                  + "'"));
    }
    checks.add(CheckResult.pass(Check.PAYLOAD_TYPE, predicateType));
    if (!statement.hasSubject(image)) {
      return done(
          digest,
          checks,
          CheckResult.fail(
              Check.SUBJECT_DIGEST,
              "statement subjects "
                  + statement.subjects().stream().map(s -> s.digest().toString()).toList()
                  + " do not include image "
                  + image));
    }
    checks.add(CheckResult.pass(Check.SUBJECT_DIGEST, "statement is about " + image));
    return new LayerOutcome(digest, checks, Optional.empty());
  }

  private static LayerOutcome done(String digest, List<CheckResult> checks, CheckResult failure) {
    checks.add(failure);
    return new LayerOutcome(digest, checks, Optional.empty());
  }
}
