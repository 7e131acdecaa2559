package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which signatures are fetched: the newest 32 simple-signing layers of a {@code .sig} manifest, the
 * first 32 Notary referrers, each blob declared at most 1 MiB.
 */
class SignatureBudgetTest {
  private static final long MIB = 1024 * 1024;

  /** A size standing for "a layer of another media type". */
  private static final long OTHER = Long.MIN_VALUE;

  static Stream<Arguments> cosignLayers() {
    return Stream.of(
        // layer sizes in manifest order (oldest first) -> indexes fetched, newest first
        Arguments.of(List.of(100L, 200L, 300L), List.of(2, 1, 0)),
        Arguments.of(List.of(100L, OTHER, 300L), List.of(2, 0)),
        Arguments.of(List.of(MIB, MIB + 1, 0L), List.of(2, 0)),
        Arguments.of(List.of(-1L, 5L), List.of(1)),
        Arguments.of(List.<Long>of(), List.<Integer>of()));
  }

  @ParameterizedTest
  @MethodSource("cosignLayers")
  void simpleSigningLayersDeclaredWithinOneMiB(List<Long> sizes, List<Integer> expected) {
    ImageManifest sig = manifest(sizes);
    assertEquals(expected, indexes(sig, SignatureBudget.cosign(sig).layers()));
  }

  static Stream<Arguments> counts() {
    return Stream.of(
        Arguments.of(1, 1), Arguments.of(32, 32), Arguments.of(33, 32), Arguments.of(100, 32));
  }

  @ParameterizedTest
  @MethodSource("counts")
  void atMostTheNewestThirtyTwo(int layers, int fetched) {
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      sizes.add(1000L + i);
    }
    ImageManifest sig = manifest(sizes);
    SignatureBudget.Selection selection = SignatureBudget.cosign(sig);
    assertEquals(fetched, selection.layers().size());
    List<Descriptor> newestFirst = new ArrayList<>(sig.layers());
    java.util.Collections.reverse(newestFirst);
    assertEquals(newestFirst.subList(0, fetched), selection.layers());
    assertEquals(layers, selection.signatures());
  }

  @Test
  void layersOfOtherTypesTakeNoPlaceAndTheNewestSignatureIsAlwaysRead() {
    // 8 other layers, then 40 signatures: the newest 32 signatures, the newest first
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i < 48; i++) {
      sizes.add(i < 8 ? OTHER : 100L);
    }
    ImageManifest sig = manifest(sizes);
    SignatureBudget.Selection selection = SignatureBudget.cosign(sig);
    assertEquals(32, selection.layers().size());
    assertEquals(40, selection.signatures());
    assertEquals(47, sig.layers().indexOf(selection.layers().get(0)), "the latest signing");
    assertEquals(16, sig.layers().indexOf(selection.layers().get(31)));
  }

  @Test
  void aNoteSaysWhatWasLeftOutAndOnlyThen() {
    List<Long> forty = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      forty.add(100L);
    }
    forty.add(OTHER); // not a signature: not counted
    assertEquals(
        Optional.of(
            "32 of 40 cosign signatures were fetched (the newest 32 per image, at most 1 MiB"
                + " each)"),
        SignatureBudget.cosign(manifest(forty)).note());
    assertEquals(
        Optional.of(
            "1 of 2 cosign signatures were fetched (the newest 32 per image, at most 1 MiB each)"),
        SignatureBudget.cosign(manifest(List.of(2 * MIB, 8L))).note());
    assertEquals(Optional.empty(), SignatureBudget.cosign(manifest(List.of(1L, OTHER))).note());
    assertEquals(
        Optional.of(
            "30 of 40 Notary Project signatures were fetched (the first 32 per image, at most 1"
                + " MiB each)"),
        SignatureBudget.note("Notary Project signatures", "first", 30, 40));
  }

  @ParameterizedTest
  @MethodSource("counts")
  void theFirstThirtyTwoNotaryReferrers(int referrers, int fetched) {
    List<Descriptor> all = new ArrayList<>();
    for (int i = 0; i < referrers; i++) {
      all.add(descriptor(MediaTypes.OCI_MANIFEST, i, 500));
    }
    assertEquals(all.subList(0, fetched), SignatureBudget.notationReferrers(all));
  }

  static Stream<Arguments> envelopes() {
    return Stream.of(
        Arguments.of(List.of(100L), Optional.of(0)),
        Arguments.of(List.of(MIB), Optional.of(0)),
        Arguments.of(List.of(MIB + 1), Optional.empty()),
        Arguments.of(List.of(-1L), Optional.empty()),
        Arguments.of(List.<Long>of(), Optional.empty()));
  }

  @ParameterizedTest
  @MethodSource("envelopes")
  void aNotaryEnvelopeDeclaredWithinOneMiB(List<Long> sizes, Optional<Integer> expected) {
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      layers.add(descriptor(EnvelopeFormat.JWS.mediaType(), i, sizes.get(i)));
    }
    ImageManifest signature =
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, null, layers, null, null);
    assertEquals(
        expected.map(layers::get), SignatureBudget.notationEnvelope(signature), sizes.toString());
  }

  /**
   * A bundle referrer or bundle layer whose digest does not parse names nothing to fetch: it is no
   * evidence (a denial), not a fetch that throws (a 503 "could not verify" in the gateway on every
   * pull, an error in the CLI), and it takes no place from a real bundle.
   */
  @Test
  void aBundleWithAMalformedDigestIsNoEvidenceAndTakesNoPlace() {
    String bundle = "application/vnd.dev.sigstore.bundle.v0.3+json";
    Descriptor malformed =
        new Descriptor(MediaTypes.OCI_MANIFEST, "sha256:not-hex", 500, null, null, bundle, null);
    List<Descriptor> referrers = new ArrayList<>();
    for (int i = 0; i < SignatureBudget.MAX_SIGNATURES; i++) {
      referrers.add(malformed);
    }
    Descriptor good = descriptor(MediaTypes.OCI_MANIFEST, 1, 500).withArtifactType(bundle);
    referrers.add(good);
    assertEquals(List.of(good), SignatureBudget.bundleReferrers(referrers));

    Descriptor badLayer = new Descriptor(bundle, "sha256:zz", 100, null, null, null, null);
    ImageManifest referrer =
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, bundle, null, List.of(badLayer), null, null);
    assertEquals(Optional.empty(), SignatureBudget.bundleLayer(referrer));
  }

  /** Attestation bundles piling up cannot push the image signature out of the budget. */
  @Test
  void imageSignatureBundlesAreTakenBeforeAttestations() {
    String bundle = "application/vnd.dev.sigstore.bundle.v0.3+json";
    List<Descriptor> referrers = new ArrayList<>();
    for (int i = 0; i < SignatureBudget.MAX_SIGNATURES + 8; i++) {
      referrers.add(
          descriptor(MediaTypes.OCI_MANIFEST, i, 500)
              .withArtifactType(bundle)
              .withAnnotations(
                  java.util.Map.of(
                      SigstoreBundleEvidence.PREDICATE_TYPE, "https://spdx.dev/Document")));
    }
    Descriptor signature =
        descriptor(MediaTypes.OCI_MANIFEST, 999, 500)
            .withArtifactType(bundle)
            .withAnnotations(
                java.util.Map.of(
                    SigstoreBundleEvidence.PREDICATE_TYPE, "https://sigstore.dev/cosign/sign/v1"));
    referrers.add(signature);
    List<Descriptor> taken = SignatureBudget.bundleReferrers(referrers);
    assertEquals(SignatureBudget.MAX_SIGNATURES, taken.size());
    assertEquals(signature, taken.get(0));
    assertEquals(referrers.get(0), taken.get(1), "the rest keep their order");
  }

  private static List<Integer> indexes(ImageManifest m, List<Descriptor> selected) {
    return selected.stream().map(m.layers()::indexOf).toList();
  }

  private static ImageManifest manifest(List<Long> sizes) {
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      long size = sizes.get(i);
      layers.add(
          size == OTHER
              ? descriptor(MediaTypes.OCI_EMPTY, i, 2)
              : descriptor(SimpleSigningPayload.MEDIA_TYPE, i, size));
    }
    return new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, null, layers, null, null);
  }

  private static Descriptor descriptor(String mediaType, int i, long size) {
    Digest digest = Digest.sha256(("layer " + i).getBytes(StandardCharsets.UTF_8));
    return Descriptor.of(mediaType, digest, size);
  }
}
