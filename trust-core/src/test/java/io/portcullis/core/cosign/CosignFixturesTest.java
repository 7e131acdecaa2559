package io.portcullis.core.cosign;

import static io.portcullis.core.cosign.CosignFixtures.fulcioRoots;
import static io.portcullis.core.cosign.CosignFixtures.imageDigest;
import static io.portcullis.core.cosign.CosignFixtures.key;
import static io.portcullis.core.cosign.CosignFixtures.layers;
import static io.portcullis.core.cosign.CosignFixtures.pkiRoots;
import static io.portcullis.core.cosign.CosignFixtures.rekorKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.testing.InteropFixtures;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every cosign fixture gives the result the interop README states. */
class CosignFixturesTest {

  static CosignSignatureVerifier withKey(String pub) {
    return CosignSignatureVerifier.builder().trustedKeys(List.of(key(pub))).build();
  }

  static Stream<Arguments> fixtures() {
    Supplier<CosignSignatureVerifier> cosign = () -> withKey("cosign.pub");
    Supplier<CosignSignatureVerifier> cosign2WithRekor =
        () ->
            CosignSignatureVerifier.builder()
                .trustedKeys(List.of(key("cosign2.pub")))
                .rekorKeys(List.of(rekorKey()))
                .requireTransparencyLog(true)
                .build();
    Supplier<CosignSignatureVerifier> fulcio =
        () ->
            CosignSignatureVerifier.builder()
                .trustedRoots(fulcioRoots())
                .rekorKeys(List.of(rekorKey()))
                .build();
    Supplier<CosignSignatureVerifier> pki =
        () -> CosignSignatureVerifier.builder().trustedRoots(pkiRoots()).build();
    return Stream.of(
        Arguments.of("dir-img-cosign-valid", cosign, 1, ""),
        Arguments.of("dir-img-cosign-valid-with-tag", cosign, 1, ""),
        Arguments.of("dir-img-cosign-valid-2", cosign, 2, ""),
        Arguments.of("dir-img-cosign-key-rekor-valid", cosign2WithRekor, 1, ""),
        Arguments.of("dir-img-cosign-fulcio-rekor-valid", fulcio, 1, ""),
        Arguments.of("dir-img-cosign-pki-valid", pki, 1, ""),
        Arguments.of(
            "dir-img-cosign-key-rekor-valid",
            cosign,
            0,
            "signature does not verify with any trusted key"),
        Arguments.of("dir-img-cosign-other-attachment", cosign, 0, "no signatures found"),
        Arguments.of(
            "dir-img-cosign-manifest-digest-error",
            cosign,
            0,
            "payload signs sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00"
                + " but image is sha256:dc6d2c1a204b02b1ed4d0a9b29f075d24317a37da08041f89a88a2ebffbe46d8"),
        Arguments.of(
            "dir-img-cosign-modified-manifest",
            cosign,
            0,
            "but image is sha256:d9dcafdb480aa7c475e91737b96925e45844213dcb0290b4a90017459121f71f"),
        Arguments.of(
            "dir-img-cosign-fulcio-rekor-valid",
            (Supplier<CosignSignatureVerifier>)
                () -> CosignSignatureVerifier.builder().trustedRoots(fulcioRoots()).build(),
            0,
            "does not chain to a trusted root"),
        Arguments.of(
            "dir-img-cosign-fulcio-rekor-valid",
            (Supplier<CosignSignatureVerifier>)
                () ->
                    CosignSignatureVerifier.builder()
                        .trustedRoots(fulcioRoots())
                        .rekorKeys(List.of(key("cosign.pub")))
                        .build(),
            0,
            "is not a trusted transparency log"),
        Arguments.of(
            "dir-img-cosign-pki-valid",
            (Supplier<CosignSignatureVerifier>)
                () -> CosignSignatureVerifier.builder().trustedRoots(fulcioRoots()).build(),
            0,
            "does not chain to a trusted root"));
  }

  @ParameterizedTest(name = "{0} -> {2} verified {3}")
  @MethodSource("fixtures")
  void fixtureGivesItsDocumentedResult(
      String dir, Supplier<CosignSignatureVerifier> verifier, int verified, String reason) {
    VerificationOutcome outcome = verifier.get().verify(imageDigest(dir), layers(dir));

    assertEquals(
        verified, outcome.verifiedLayers().size(), () -> String.join("; ", outcome.reasons()));
    assertEquals(verified > 0, outcome.verified());
    if (!reason.isEmpty()) {
      assertTrue(
          outcome.reasons().stream().anyMatch(r -> r.contains(reason)),
          () -> "expected '" + reason + "' in " + outcome.reasons());
    }
  }

  @Test
  void keylessSignatureChecksLogAndChainAndExposesTheCertificate() throws Exception {
    String dir = "dir-img-cosign-fulcio-rekor-valid";
    VerificationOutcome outcome =
        CosignSignatureVerifier.builder()
            .trustedRoots(fulcioRoots())
            .rekorKeys(List.of(rekorKey()))
            .build()
            .verify(imageDigest(dir), layers(dir));

    LayerOutcome layer = outcome.layers().get(0);
    assertEquals(
        List.of(
            Check.LAYER_DIGEST,
            Check.SIGNATURE,
            Check.TRANSPARENCY_LOG,
            Check.CERTIFICATE_CHAIN,
            Check.PAYLOAD_TYPE,
            Check.SUBJECT_DIGEST),
        layer.checks().stream().map(CheckResult::check).toList());
    assertTrue(layer.checks().get(3).detail().contains("2023-01-20T20:51:33Z"));
    assertTrue(layer.certificate().isPresent());
    assertTrue(
        layer
            .certificate()
            .get()
            .getSubjectAlternativeNames()
            .toString()
            .contains("mitr@redhat.com"));
  }

  @Test
  void unknownKeySignatureFailsWithCosignPub() {
    AttachmentLayer unknown =
        CosignFixtures.layer(InteropFixtures.path("cosign/unknown-cosign-key.signature"));
    Digest image = imageDigest("dir-img-cosign-valid");

    VerificationOutcome outcome = withKey("cosign.pub").verify(image, List.of(unknown));

    assertFalse(outcome.verified());
    assertEquals(Check.SIGNATURE, outcome.layers().get(0).checks().get(1).check());
    assertTrue(
        outcome.reasons().get(0).endsWith("signature does not verify with any trusted key"),
        outcome.reasons().toString());
  }

  @Test
  void otherAttachmentLayerIsIgnoredNotFailed() {
    String dir = "dir-img-cosign-other-attachment";
    List<AttachmentLayer> mixed =
        Stream.concat(layers(dir).stream(), layers("dir-img-cosign-valid").stream()).toList();

    VerificationOutcome outcome = withKey("cosign.pub").verify(imageDigest(dir), mixed);

    assertEquals(1, outcome.layers().size(), "the text/plain layer is not a signature");
    assertTrue(outcome.verified());
  }
}
