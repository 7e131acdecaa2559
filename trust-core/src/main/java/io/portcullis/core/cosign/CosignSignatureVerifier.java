package io.portcullis.core.cosign;

import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.SignatureVerifier;
import io.portcullis.core.keys.TrustRoots;
import io.portcullis.core.keys.Verifiers;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Verifies cosign signatures of an image, per the <a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signature
 * spec</a>. For every {@code application/vnd.dev.cosign.simplesigning.v1+json} layer (others are
 * ignored) it checks, in order: the layer bytes match their descriptor; the signature verifies over
 * those exact bytes under a trusted key, or under a certificate that chains to a trusted root; when
 * a Rekor bundle is present and log keys are configured, its SignedEntryTimestamp and that the
 * entry is this signature; the payload's type and that it names the image digest.
 *
 * <p>Certificates are validated at the Rekor integrated time when a verified bundle gives one
 * (short-lived Fulcio certificates have long expired by now), otherwise at the clock's time.
 * Identity rules (which SAN or issuer is acceptable) belong to the trust policy, which reads {@link
 * LayerOutcome#certificate()}.
 */
public final class CosignSignatureVerifier {
  private final List<SignatureVerifier> keys;
  private final TrustRoots roots;
  private final List<PublicKey> rekorKeys;
  private final boolean requireTransparencyLog;
  private final Clock clock;

  private CosignSignatureVerifier(Builder builder) {
    this.keys = builder.keys.stream().map(Verifiers::forPublicKey).toList();
    this.roots = builder.roots;
    this.rekorKeys = List.copyOf(builder.rekorKeys);
    this.requireTransparencyLog = builder.requireTransparencyLog;
    this.clock = builder.clock;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Verifies the signature layers of a {@code .sig} manifest, fetching their blobs. */
  public VerificationOutcome verify(
      Digest image, ImageManifest signatures, AttachmentLayer.BlobFetcher fetcher)
      throws IOException {
    return verify(
        image, AttachmentLayer.fromManifest(signatures, SimpleSigningPayload.MEDIA_TYPE, fetcher));
  }

  /** Verifies {@code layers} against {@code image}; layers of other media types are ignored. */
  public VerificationOutcome verify(Digest image, List<AttachmentLayer> layers) {
    List<LayerOutcome> outcomes = new ArrayList<>();
    for (AttachmentLayer layer : layers) {
      if (SimpleSigningPayload.MEDIA_TYPE.equals(layer.mediaType())) {
        outcomes.add(verifyLayer(image, layer));
      }
    }
    return new VerificationOutcome(image, outcomes);
  }

  private LayerOutcome verifyLayer(Digest image, AttachmentLayer layer) {
    Checks checks = new Checks(layer.descriptor().digest());
    String mismatch = layer.contentMismatch();
    if (mismatch != null) {
      return checks.fail(Check.LAYER_DIGEST, mismatch);
    }
    checks.pass(Check.LAYER_DIGEST, "layer content matches " + layer.descriptor().digest());
    byte[] payload = layer.content();

    Optional<byte[]> signature = decodeSignature(layer);
    if (signature.isEmpty()) {
      return checks.fail(
          Check.SIGNATURE,
          "layer has no valid base64 " + CosignAnnotations.SIGNATURE + " annotation");
    }
    Signing signing = authenticate(layer, payload, signature.get(), checks);
    if (signing == null) {
      return checks.outcome();
    }

    Instant signingTime = clock.instant();
    Optional<String> bundleJson = layer.annotation(CosignAnnotations.BUNDLE);
    if (bundleJson.isPresent() && !rekorKeys.isEmpty()) {
      RekorBundle bundle;
      try {
        bundle = RekorBundle.parse(bundleJson.get());
      } catch (InvalidPayloadException e) {
        return checks.fail(Check.TRANSPARENCY_LOG, e.getMessage());
      }
      Optional<String> problem =
          bundle
              .verifySignedEntryTimestamp(rekorKeys)
              .or(
                  () ->
                      bundle.matches(
                          payload, signature.get(), signing.key(), signing.certificate()));
      if (problem.isPresent()) {
        return checks.fail(Check.TRANSPARENCY_LOG, problem.get());
      }
      signingTime = bundle.integratedAt();
      checks.pass(
          Check.TRANSPARENCY_LOG,
          "Rekor entry " + bundle.logIndex() + " integrated at " + signingTime);
    } else if (requireTransparencyLog) {
      return checks.fail(
          Check.TRANSPARENCY_LOG,
          bundleJson.isEmpty()
              ? "no Rekor bundle, and a transparency log entry is required"
              : "a transparency log entry is required but no Rekor key is trusted");
    }

    if (signing.certificate() != null) {
      Optional<String> chainProblem = validateChain(layer, signing.certificate(), signingTime);
      if (chainProblem.isPresent()) {
        return checks.fail(Check.CERTIFICATE_CHAIN, chainProblem.get());
      }
      checks.pass(
          Check.CERTIFICATE_CHAIN, "certificate chains to a trusted root at " + signingTime);
    }
    return checkPayload(image, payload, checks);
  }

  /** The key (and certificate) that verified the signature, or null after recording a failure. */
  private Signing authenticate(
      AttachmentLayer layer, byte[] payload, byte[] signature, Checks checks) {
    for (SignatureVerifier key : keys) {
      if (key.verify(payload, signature)) {
        checks.pass(
            Check.SIGNATURE,
            "verified with trusted key " + RekorBundle.keyId(key.publicKey()).substring(0, 16));
        return new Signing(key.publicKey(), null);
      }
    }
    Optional<String> certificatePem = layer.annotation(CosignAnnotations.CERTIFICATE);
    if (roots != null && certificatePem.isPresent()) {
      X509Certificate leaf;
      try {
        List<X509Certificate> parsed = CertificatePem.parseAll(certificatePem.get());
        if (parsed.isEmpty()) {
          checks.fail(Check.SIGNATURE, "certificate annotation holds no certificate");
          return null;
        }
        leaf = parsed.get(0);
        if (Verifiers.forPublicKey(leaf.getPublicKey()).verify(payload, signature)) {
          checks.pass(
              Check.SIGNATURE,
              "verified with certificate '" + leaf.getSubjectX500Principal().getName() + "'");
          checks.certificate = leaf;
          return new Signing(leaf.getPublicKey(), leaf);
        }
      } catch (KeyFormatException e) {
        checks.fail(Check.SIGNATURE, "signing certificate unusable: " + e.getMessage());
        return null;
      }
      checks.fail(
          Check.SIGNATURE,
          "signature does not verify with any trusted key or with its certificate");
      return null;
    }
    checks.fail(Check.SIGNATURE, "signature does not verify with any trusted key");
    return null;
  }

  private Optional<String> validateChain(
      AttachmentLayer layer, X509Certificate leaf, Instant signingTime) {
    List<X509Certificate> chain;
    try {
      chain = CertificatePem.parseAll(layer.annotation(CosignAnnotations.CHAIN).orElse(""));
    } catch (KeyFormatException e) {
      return Optional.of("certificate chain annotation: " + e.getMessage());
    }
    return roots.validate(leaf, chain, signingTime);
  }

  private static LayerOutcome checkPayload(Digest image, byte[] payload, Checks checks) {
    SimpleSigningPayload parsed;
    try {
      parsed = SimpleSigningPayload.parse(payload);
    } catch (InvalidPayloadException e) {
      return checks.fail(Check.PAYLOAD_TYPE, e.getMessage());
    }
    if (!SimpleSigningPayload.COSIGN_TYPE.equals(parsed.type())) {
      return checks.fail(
          Check.PAYLOAD_TYPE,
          "critical.type is '"
              + parsed.type()
              + "', expected '"
              + SimpleSigningPayload.COSIGN_TYPE
              + "'");
    }
    checks.pass(Check.PAYLOAD_TYPE, SimpleSigningPayload.COSIGN_TYPE);
    if (!parsed.manifestDigest().equals(image)) {
      return checks.fail(
          Check.SUBJECT_DIGEST,
          "payload signs " + parsed.manifestDigest() + " but image is " + image);
    }
    checks.pass(Check.SUBJECT_DIGEST, "payload signs " + image);
    return checks.outcome();
  }

  private static Optional<byte[]> decodeSignature(AttachmentLayer layer) {
    Optional<String> value = layer.annotation(CosignAnnotations.SIGNATURE);
    if (value.isEmpty() || value.get().isBlank()) {
      return Optional.empty();
    }
    try {
      // Go's base64 decoder skips CR and LF, and some signers (the private-PKI fixture) wrap lines
      return Optional.of(
          Base64.getDecoder().decode(value.get().replace("\r", "").replace("\n", "")));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private record Signing(PublicKey key, X509Certificate certificate) {}

  /** Accumulates check results for one layer. */
  private static final class Checks {
    private final String layerDigest;
    private final List<CheckResult> results = new ArrayList<>();
    private X509Certificate certificate;

    Checks(String layerDigest) {
      this.layerDigest = layerDigest;
    }

    void pass(Check check, String detail) {
      results.add(CheckResult.pass(check, detail));
    }

    LayerOutcome fail(Check check, String detail) {
      results.add(CheckResult.fail(check, detail));
      return outcome();
    }

    LayerOutcome outcome() {
      return new LayerOutcome(layerDigest, results, Optional.ofNullable(certificate));
    }
  }

  /** Configures trust: keys, certificate roots, transparency log keys, clock. */
  public static final class Builder {
    private final List<PublicKey> keys = new ArrayList<>();
    private TrustRoots roots;
    private final List<PublicKey> rekorKeys = new ArrayList<>();
    private boolean requireTransparencyLog;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Keys whose signatures are trusted outright (cosign {@code --key}). */
    public Builder trustedKeys(List<PublicKey> trusted) {
      keys.addAll(trusted);
      return this;
    }

    /** Roots for certificate-based signatures (Fulcio or a private PKI). */
    public Builder trustedRoots(TrustRoots trustRoots) {
      this.roots = trustRoots;
      return this;
    }

    /** Transparency log keys; with them, Rekor bundles that are present must verify. */
    public Builder rekorKeys(List<PublicKey> logKeys) {
      rekorKeys.addAll(logKeys);
      return this;
    }

    /** Refuse signatures without a verified Rekor bundle. */
    public Builder requireTransparencyLog(boolean required) {
      this.requireTransparencyLog = required;
      return this;
    }

    public Builder clock(Clock verificationClock) {
      this.clock = verificationClock;
      return this;
    }

    public CosignSignatureVerifier build() {
      if (keys.isEmpty() && roots == null) {
        throw new IllegalStateException("configure trusted keys or trusted roots");
      }
      return new CosignSignatureVerifier(this);
    }
  }
}
