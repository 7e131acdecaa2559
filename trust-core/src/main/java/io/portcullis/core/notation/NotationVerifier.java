package io.portcullis.core.notation;

import io.portcullis.core.notation.TimestampVerifier.TimestampException;
import io.portcullis.core.notation.VerificationOutcome.Check;
import io.portcullis.core.notation.VerificationOutcome.CheckResult;
import io.portcullis.core.notation.VerificationOutcome.Result;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.x509.CertificateChainException;
import io.portcullis.core.x509.CertificateRequirements;
import io.portcullis.core.x509.TrustChainValidator;
import io.portcullis.core.x509.TrustStore;
import io.portcullis.core.x509.TrustStoreType;
import io.portcullis.core.x509.TrustedIdentity;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Verifies one Notary Project signature envelope against trust stores and trusted identities, as
 * the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification">signature
 * verification</a> steps describe (revocation excepted), and matches the signed target against the
 * digest the caller resolved.
 *
 * <p>Every check is reported in the {@link VerificationOutcome}; nothing throws for "not verified".
 * Integrity is the gate: when it does not pass, the payload and attributes are untrusted and the
 * later checks are {@link Result#SKIPPED}. Verification plugins are not supported, so a signature
 * whose critical headers demand one is {@link Result#UNVERIFIABLE}, as the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#guidelines-for-notary-project-signature-implementors">implementor
 * guidelines</a> require.
 */
public final class NotationVerifier {
  private final List<TrustStore> trustStores;
  private final List<TrustedIdentity> identities;
  private final TimestampVerifier timestampVerifier;
  private final Clock clock;

  /**
   * @param trustStores the stores of the applicable trust policy, any type; {@code ca} stores serve
   *     {@code notary.x509}, {@code signingAuthority} stores the signing-authority scheme and
   *     {@code tsa} stores the timestamp countersignatures
   * @param identities the trusted identities; {@link TrustedIdentity#any()} admits every signer
   *     that chains to a store
   */
  public NotationVerifier(
      List<TrustStore> trustStores, List<TrustedIdentity> identities, Clock clock) {
    this.trustStores = List.copyOf(trustStores);
    this.identities = List.copyOf(identities);
    this.clock = clock;
    this.timestampVerifier = new TimestampVerifier(storesOf(TrustStoreType.TSA));
  }

  /**
   * Verifies {@code envelope} (a layer of media type {@code mediaType}) as a signature over the
   * artifact {@code expectedTarget}.
   */
  public VerificationOutcome verify(byte[] envelope, String mediaType, Digest expectedTarget) {
    Run run = new Run();
    try {
      run.verify(envelope, mediaType, expectedTarget);
    } catch (RuntimeException e) {
      // A bug or an environment fault must never read as "verified": report it and fail closed.
      run.finish(Result.UNVERIFIABLE, "verifier error: " + e.getClass().getSimpleName());
    }
    return new VerificationOutcome(run.results, run.target, run.signer);
  }

  private List<TrustStore> storesOf(TrustStoreType type) {
    return trustStores.stream().filter(s -> s.type() == type).toList();
  }

  /** The state of one verification. */
  private final class Run {
    private final List<CheckResult> results = new ArrayList<>();
    private final EnumSet<Check> done = EnumSet.noneOf(Check.class);
    private Descriptor target;
    private X509Certificate signer;

    void verify(byte[] bytes, String mediaType, Digest expectedTarget) {
      Instant now = clock.instant();
      var format = EnvelopeFormat.fromMediaType(mediaType);
      if (format.isEmpty()) {
        stop(Result.FAILED, "unsupported signature envelope media type '" + mediaType + "'");
        return;
      }
      NotationEnvelope envelope;
      try {
        envelope = format.get().parse(bytes);
      } catch (EnvelopeException e) {
        stop(Result.FAILED, "malformed envelope: " + e.getMessage());
        return;
      }
      signer = envelope.signingCertificate();
      if (!integrity(envelope)) {
        return;
      }
      SignedAttributes attributes = envelope.attributes();

      // The authentic time, if any, decides at which time the chain must be valid.
      AuthenticTimestamp authentic = null;
      String timestampProblem = null;
      if (attributes.signingScheme() == SigningScheme.X509_SIGNING_AUTHORITY) {
        authentic = new AuthenticTimestamp(attributes.authenticSigningTime(), Duration.ZERO, null);
      } else if (envelope.timestampToken() != null) {
        try {
          authentic = timestampVerifier.verify(envelope.timestampToken(), envelope.signature());
        } catch (TimestampException e) {
          timestampProblem = e.getMessage();
        }
      }

      authenticity(envelope, authentic == null ? attributes.signingTime() : authentic.time());
      authenticTimestamp(envelope.certificateChain(), authentic, timestampProblem, now);
      if (attributes.expiry() != null && !now.isBefore(attributes.expiry())) {
        add(Check.EXPIRY, Result.FAILED, "signature expired at " + attributes.expiry());
      } else {
        add(
            Check.EXPIRY,
            Result.PASSED,
            attributes.expiry() == null ? "no expiry" : "valid until " + attributes.expiry());
      }
      Digest signed = Digest.parse(target.digest());
      if (signed.equals(expectedTarget)) {
        add(Check.TARGET_DIGEST, Result.PASSED, "signature is for " + signed);
      } else {
        add(
            Check.TARGET_DIGEST,
            Result.FAILED,
            "signature is for " + signed + ", not for " + expectedTarget);
      }
    }

    private boolean integrity(NotationEnvelope envelope) {
      SignedAttributes attributes = envelope.attributes();
      if (attributes.verificationPlugin() != null) {
        stop(
            Result.UNVERIFIABLE,
            "signature requires verification plugin '"
                + attributes.verificationPlugin()
                + "' (critical header "
                + SignedAttributes.VERIFICATION_PLUGIN
                + "), which Portcullis does not run");
        return false;
      }
      if (!attributes.unknownCritical().isEmpty()) {
        stop(Result.FAILED, "critical header(s) not understood: " + attributes.unknownCritical());
        return false;
      }
      String violation = attributes.violation();
      if (violation != null) {
        stop(Result.FAILED, violation);
        return false;
      }
      SignatureAlgorithm keyAlgorithm;
      try {
        keyAlgorithm = SignatureAlgorithm.forKey(signer.getPublicKey());
      } catch (IllegalArgumentException e) {
        stop(Result.FAILED, "signing certificate key: " + e.getMessage());
        return false;
      }
      if (keyAlgorithm != attributes.algorithm()) {
        stop(
            Result.FAILED,
            "envelope algorithm "
                + attributes.algorithm().jwsName()
                + " does not match the signing key, which requires "
                + keyAlgorithm.jwsName());
        return false;
      }
      try {
        if (!keyAlgorithm.verify(
            signer.getPublicKey(), envelope.signingInput(), envelope.signature())) {
          stop(Result.FAILED, "signature does not verify with the signing certificate's key");
          return false;
        }
      } catch (GeneralSecurityException e) {
        stop(Result.UNVERIFIABLE, "cannot run " + keyAlgorithm.jwsName() + ": " + e.getMessage());
        return false;
      }
      try {
        target = NotationPayload.parse(envelope.payload()).targetArtifact();
      } catch (EnvelopeException e) {
        stop(Result.FAILED, "signed payload: " + e.getMessage());
        return false;
      }
      add(
          Check.INTEGRITY,
          Result.PASSED,
          attributes.algorithm().jwsName() + " signature by '" + subject(signer) + "' verifies");
      return true;
    }

    private void authenticity(NotationEnvelope envelope, Instant at) {
      SigningScheme scheme = envelope.attributes().signingScheme();
      List<TrustStore> stores = storesOf(scheme.trustStoreType());
      if (stores.isEmpty()) {
        add(
            Check.AUTHENTICITY,
            Result.FAILED,
            "no "
                + scheme.trustStoreType().directoryName()
                + " trust store is configured for signing scheme "
                + scheme.value());
        return;
      }
      X509Certificate anchor;
      try {
        anchor =
            TrustChainValidator.validate(
                envelope.certificateChain(),
                stores,
                CertificateRequirements.Purpose.CODE_SIGNING,
                at);
      } catch (CertificateChainException e) {
        add(Check.AUTHENTICITY, Result.FAILED, e.getMessage());
        return;
      }
      if (!TrustedIdentity.anyMatches(identities, signer)) {
        add(
            Check.AUTHENTICITY,
            Result.FAILED,
            "signer '" + subject(signer) + "' matches no trusted identity " + identities);
        return;
      }
      add(
          Check.AUTHENTICITY,
          Result.PASSED,
          "'" + subject(signer) + "' chains to trusted '" + subject(anchor) + "'");
    }

    private void authenticTimestamp(
        List<X509Certificate> chain, AuthenticTimestamp authentic, String problem, Instant now) {
      if (problem != null) {
        add(Check.AUTHENTIC_TIMESTAMP, Result.FAILED, problem);
        return;
      }
      try {
        if (authentic == null) {
          CertificateRequirements.checkValidAt(chain, now);
          add(
              Check.AUTHENTIC_TIMESTAMP,
              Result.PASSED,
              "no authentic timestamp; certificate chain is valid now");
        } else {
          CertificateRequirements.checkValidAt(chain, authentic.lower());
          CertificateRequirements.checkValidAt(chain, authentic.upper());
          add(
              Check.AUTHENTIC_TIMESTAMP,
              Result.PASSED,
              "certificate chain was valid at the authentic signing time " + authentic.time());
        }
      } catch (CertificateChainException e) {
        add(
            Check.AUTHENTIC_TIMESTAMP,
            Result.FAILED,
            (authentic == null ? "no authentic timestamp, and " : "at the authentic signing time, ")
                + e.getMessage());
      }
    }

    private void add(Check check, Result result, String reason) {
      results.add(new CheckResult(check, result, reason));
      done.add(check);
    }

    /** Records {@code result} for integrity and skips every later check. */
    private void stop(Result result, String reason) {
      add(Check.INTEGRITY, result, reason);
      finish(Result.SKIPPED, "integrity did not pass");
    }

    /** Gives every check not yet reported {@code result}. */
    void finish(Result result, String reason) {
      for (Check check : Check.values()) {
        if (!done.contains(check)) {
          add(check, result, reason);
        }
      }
    }
  }

  private static String subject(X509Certificate cert) {
    return cert.getSubjectX500Principal().getName();
  }
}
