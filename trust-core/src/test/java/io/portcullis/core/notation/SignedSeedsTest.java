package io.portcullis.core.notation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.cosign.CosignSignatureVerifier;
import io.portcullis.core.cosign.SigstoreJsonSignature;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.testing.SignedSeeds;
import io.portcullis.core.x509.TrustStore;
import io.portcullis.core.x509.TrustStoreType;
import io.portcullis.core.x509.TrustedIdentity;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The documents the parser properties mutate are the real thing, so mutations start from what a
 * registry serves: each seed verifies with the project's verifier and has the shape of the file the
 * reference tools write (the copies of their fixtures these replace may not be in the project).
 */
class SignedSeedsTest {
  private static final Clock DURING_VALIDITY =
      Clock.fixed(SignedSeeds.SIGNING_TIME.plus(Duration.ofDays(30)), ZoneOffset.UTC);

  @Test
  void imageManifestHasConfigAnnotatedLayersAndAnnotations() {
    byte[] bytes = SignedSeeds.imageManifest();
    ImageManifest manifest = ManifestCodec.readManifest(bytes);
    assertEquals(MediaTypes.OCI_MANIFEST, manifest.mediaType());
    assertEquals(MediaTypes.OCI_CONFIG, manifest.config().mediaType());
    assertEquals(2, manifest.layers().size());
    assertTrue(manifest.layers().stream().allMatch(l -> !l.annotations().isEmpty()));
    assertEquals(2, manifest.annotations().size());
    assertEquals(manifest, ManifestCodec.readManifest(ManifestCodec.write(manifest)));
  }

  @Test
  void sigstoreJsonIsContainersImageOnDiskFormAndVerifies() {
    byte[] file = SignedSeeds.sigstoreJson();
    assertArrayEquals(
        "\0sigstore-json\n{\"mimeType\":".getBytes(StandardCharsets.US_ASCII),
        Arrays.copyOf(file, 27));
    SigstoreJsonSignature parsed = SigstoreJsonSignature.parse(file);
    assertEquals(SimpleSigningPayload.MEDIA_TYPE, parsed.mimeType());
    assertArrayEquals(file, SigstoreJsonSignature.fromLayer(parsed.toLayer()).toBytes());
    var outcome =
        CosignSignatureVerifier.builder()
            .trustedKeys(List.of(SignedSeeds.PKI.signer().getPublicKey()))
            .build()
            .verify(SignedSeeds.TARGET.parsedDigest(), List.of(parsed.toLayer()));
    assertTrue(outcome.verified(), outcome.reasons().toString());
    assertEquals(
        SignedSeeds.DOCKER_REFERENCE,
        SimpleSigningPayload.parse(parsed.payload()).dockerReference());
  }

  @ParameterizedTest
  @EnumSource(EnvelopeFormat.class)
  void notationEnvelopesVerifyWithChainAndSignedAttributes(EnvelopeFormat format) {
    byte[] envelope =
        format == EnvelopeFormat.JWS ? SignedSeeds.notationJws() : CoseSeed.envelope();
    NotationEnvelope parsed = format.parse(envelope);
    assertEquals(3, parsed.certificateChain().size());
    assertEquals(SignedSeeds.SIGNING_TIME, parsed.attributes().signingTime());
    assertEquals(SignedSeeds.EXPIRY, parsed.attributes().expiry());
    assertEquals(
        List.of(SignedAttributes.SIGNING_SCHEME, SignedAttributes.EXPIRY),
        parsed.attributes().critical());
    assertEquals(NotationSigner.SIGNING_AGENT, parsed.signingAgent());
    VerificationOutcome outcome =
        new NotationVerifier(
                List.of(
                    new TrustStore(TrustStoreType.CA, "seeds", List.of(SignedSeeds.PKI.root()))),
                List.of(TrustedIdentity.any()),
                DURING_VALIDITY)
            .verify(envelope, format.mediaType(), SignedSeeds.TARGET.parsedDigest());
    assertTrue(outcome.verified(), outcome.toString());
  }
}
