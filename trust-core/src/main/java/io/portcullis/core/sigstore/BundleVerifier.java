package io.portcullis.core.sigstore;

import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.Verifiers;
import io.portcullis.core.oci.Digest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Verifies Sigstore bundles against a {@link TrustedRoot}, as the <a
 * href="https://docs.sigstore.dev/about/bundle/">bundle verification</a> of the Sigstore clients
 * (sigstore-java's {@code KeylessVerifier}, cosign's {@code verify}) does. Thread-safe; build one
 * per trusted root and reuse it: the certificate authorities' chains are checked once, here.
 *
 * <p>Order of checks: bounds; the content (message signature or DSSE envelope, with the subject
 * naming the artifact) under the leaf's key or a required key; every transparency log entry
 * (inclusion, and a body that records this very signature); every RFC 3161 timestamp; then for a
 * certificate: a signing time from those alone (never the clock), the chain to a Fulcio CA valid
 * then, the leaf valid at every such time, code signing, embedded SCTs, and the identity.
 */
public final class BundleVerifier {
  /** Most log entries, timestamps or certificates examined in one bundle. */
  public static final int MAX_ITEMS = 8;

  private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";

  private final TrustedRoot root;
  private final CertificateChains chains;

  public BundleVerifier(TrustedRoot root) {
    this.root = root;
    this.chains = new CertificateChains(root.certificateAuthorities());
  }

  public TrustedRoot root() {
    return root;
  }

  /** Verifies {@code bundle} over {@code artifact}; never throws for a bad bundle. */
  public BundleOutcome verify(
      SigstoreBundle bundle, Artifact artifact, VerificationRequirements requirements) {
    try {
      return check(bundle, artifact, requirements);
    } catch (SigstoreVerificationException e) {
      return BundleOutcome.failed(e.getMessage());
    } catch (RuntimeException e) {
      // Fail closed: whatever a hostile bundle provokes is a refusal, never an escape.
      return BundleOutcome.failed(
          "bundle could not be verified: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private BundleOutcome check(
      SigstoreBundle bundle, Artifact artifact, VerificationRequirements requirements)
      throws SigstoreVerificationException {
    bounded("transparency log entries", bundle.tlogEntries().size());
    bounded("RFC 3161 timestamps", bundle.rfc3161Timestamps().size());
    bounded("certificates", bundle.certificates().size());

    Content content;
    PublicKey key;
    VerifiedSigner signer;
    if (bundle.keyBased()) {
      if (requirements.keys().isEmpty()) {
        throw new SigstoreVerificationException(
            "bundle is signed with a key, but no key is trusted for it");
      }
      KeyMatch match = keyThatVerifies(bundle, artifact, requirements.keys());
      content = match.content();
      key = match.key();
      signer = new VerifiedSigner(Optional.empty(), Optional.empty(), Optional.of(keyId(key)));
    } else {
      if (requirements.identities().isEmpty()) {
        throw new SigstoreVerificationException(
            "bundle is signed keyless, but no certificate identity is required of it");
      }
      // The checks that cost no signature first: anyone can get a Fulcio certificate and a log
      // entry, so a certificate for nobody the policy trusts is refused before any crypto work.
      X509Certificate leaf = bundle.certificates().get(0);
      requireCodeSigning(leaf);
      signer = identify(leaf, requirements.identities());
      key = leaf.getPublicKey();
      content = content(bundle, artifact, key);
    }

    List<Instant> times = new ArrayList<>();
    List<TlogVerifier.VerifiedEntry> untimed = new ArrayList<>();
    OptionalLong logIndex = OptionalLong.empty();
    Set<String> seen = new HashSet<>();
    for (TlogEntry entry : bundle.tlogEntries()) {
      if (!seen.add(HexFormat.of().formatHex(entry.logId()) + "/" + entry.logIndex())) {
        throw new SigstoreVerificationException(
            "bundle lists log entry " + entry.logIndex() + " more than once");
      }
      // The body first: it is cheap, and "not this signature" says more than "unknown log".
      TlogVerifier.requireBodyMatches(
          entry, bundle, artifact.sha256(), bundle.keyBased() ? key : null);
      TlogVerifier.VerifiedEntry verified = TlogVerifier.verifyInclusion(entry, root);
      verified.integratedTime().ifPresentOrElse(times::add, () -> untimed.add(verified));
      if (logIndex.isEmpty()) {
        logIndex = signedLogIndex(verified);
      }
    }
    if (requirements.tlogRequired() && bundle.tlogEntries().isEmpty()) {
      throw new SigstoreVerificationException(
          "bundle has no transparency log entry, and one is required");
    }
    List<Instant> stamped = new ArrayList<>();
    for (byte[] timestamp : bundle.rfc3161Timestamps()) {
      stamped.add(TimestampVerifier.verify(timestamp, content.timestampedSignature(), root));
    }
    times.addAll(stamped);
    requireLogsValidAtStampedTimes(untimed, stamped);

    if (!bundle.keyBased()) {
      keyless(bundle, times);
    }
    Optional<Instant> signedAt = times.stream().min(Comparator.naturalOrder());
    return new BundleOutcome(
        true,
        "",
        Optional.of(signer),
        signedAt,
        logIndex,
        content.dssePayload(),
        content.predicateType());
  }

  /**
   * A Rekor v2 entry carries no time, so the log's {@code validFor} is checked at the verified RFC
   * 3161 times instead; without one it cannot be checked at all, and the entry does not count.
   */
  private static void requireLogsValidAtStampedTimes(
      List<TlogVerifier.VerifiedEntry> untimed, List<Instant> stamped)
      throws SigstoreVerificationException {
    for (TlogVerifier.VerifiedEntry entry : untimed) {
      if (stamped.isEmpty()) {
        throw new SigstoreVerificationException(
            "no verified signing time: the transparency log entry carries no integrated time (Rekor"
                + " v2) and the bundle has no RFC 3161 timestamp");
      }
      for (Instant t : stamped) {
        if (!entry.log().validity().contains(t)) {
          throw new SigstoreVerificationException(
              "transparency log "
                  + entry.log().baseUrl()
                  + " was not valid at the timestamped time "
                  + t
                  + " (valid "
                  + entry.log().validity()
                  + ")");
        }
      }
    }
  }

  /**
   * The entry's log index for the audit record, only when something signs it: the SET does, and an
   * inclusion proof does when it names the same index (Rekor v2's one tree). A Rekor v1 entry with
   * a proof alone names its shard's index there, so its global index is left out rather than taken
   * on the bundle's word.
   */
  private static OptionalLong signedLogIndex(TlogVerifier.VerifiedEntry verified) {
    TlogEntry entry = verified.entry();
    boolean proven =
        entry.inclusionProof().filter(p -> p.logIndex() == entry.logIndex()).isPresent();
    return verified.integratedTime().isPresent() || proven
        ? OptionalLong.of(entry.logIndex())
        : OptionalLong.empty();
  }

  private static void bounded(String what, int n) throws SigstoreVerificationException {
    if (n > MAX_ITEMS) {
      throw new SigstoreVerificationException(
          "bundle has " + n + " " + what + "; at most " + MAX_ITEMS + " are examined");
    }
  }

  /** The certificate checks at the verified times: validity, chain, SCT. */
  private void keyless(SigstoreBundle bundle, List<Instant> times)
      throws SigstoreVerificationException {
    X509Certificate leaf = bundle.certificates().get(0);
    if (times.isEmpty()) {
      throw new SigstoreVerificationException(
          "no verified signing time: a certificate needs a transparency log entry with an"
              + " integrated time or an RFC 3161 timestamp");
    }
    for (Instant t : times) {
      Optional<String> invalid = CertificateChains.notValidAt(List.of(leaf), t);
      if (invalid.isPresent()) {
        throw new SigstoreVerificationException(
            "signing certificate was not valid at the verified signing time: " + invalid.get());
      }
    }
    List<X509Certificate> rest = bundle.certificates().subList(1, bundle.certificates().size());
    CertificateChains.Chained chained = chains.chain(leaf, rest, times);
    SctVerifier.verify(leaf, chained.issuer(), root);
  }

  /** The signer {@code leaf} names when it matches one of {@code identities}, else why not. */
  private static VerifiedSigner identify(X509Certificate leaf, List<CertificateIdentity> identities)
      throws SigstoreVerificationException {
    CertificateIdentity.Mismatch closest = null;
    for (CertificateIdentity identity : identities) {
      Optional<CertificateIdentity.Mismatch> m = identity.check(leaf);
      if (m.isEmpty()) {
        String subject =
            FulcioExtensions.subjectAlternativeNames(leaf).stream()
                .filter(
                    san ->
                        identity.subject() != null
                            ? identity.subject().equals(san)
                            : identity.subjectRegExp().matcher(san).find())
                .findFirst()
                .orElse("");
        return new VerifiedSigner(
            FulcioExtensions.issuer(leaf), Optional.of(subject), Optional.empty());
      }
      if (closest == null || m.get().matched() > closest.matched()) {
        closest = m.get();
      }
    }
    throw new SigstoreVerificationException(closest.message());
  }

  static void requireCodeSigning(X509Certificate leaf) throws SigstoreVerificationException {
    List<String> eku;
    try {
      eku = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      eku = null;
    }
    if (eku == null || !eku.contains(CODE_SIGNING)) {
      throw new SigstoreVerificationException(
          "signing certificate lacks the code signing extended key usage");
    }
  }

  /** The verified content, and what an RFC 3161 timestamp of it stamps. */
  private record Content(
      byte[] timestampedSignature, Optional<byte[]> dssePayload, Optional<String> predicateType) {}

  private record KeyMatch(PublicKey key, Content content) {}

  private static KeyMatch keyThatVerifies(
      SigstoreBundle bundle, Artifact artifact, List<PublicKey> keys)
      throws SigstoreVerificationException {
    SigstoreVerificationException first = null;
    for (PublicKey key : keys) {
      try {
        return new KeyMatch(key, content(bundle, artifact, key));
      } catch (SigstoreVerificationException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    throw keys.size() == 1
        ? first
        : new SigstoreVerificationException(
            "bundle does not verify with any of the "
                + keys.size()
                + " trusted keys (first: "
                + first.getMessage()
                + ")");
  }

  private static Content content(SigstoreBundle bundle, Artifact artifact, PublicKey key)
      throws SigstoreVerificationException {
    if (bundle.messageSignature().isPresent()) {
      MessageSignature ms = bundle.messageSignature().get();
      MessageSignatures.verify(ms, key, artifact);
      return new Content(ms.signature(), Optional.empty(), Optional.empty());
    }
    DsseEnvelope envelope = bundle.dsseEnvelope().orElseThrow();
    if (envelope.signatures().size() != 1) {
      throw new SigstoreVerificationException(
          "DSSE envelope has "
              + envelope.signatures().size()
              + " signatures; a bundle's envelope has exactly one");
    }
    try {
      if (envelope.verifiedSignature(List.of(Verifiers.forPublicKey(key))).isEmpty()) {
        throw new SigstoreVerificationException("DSSE signature does not verify");
      }
    } catch (KeyFormatException e) {
      throw new SigstoreVerificationException("DSSE signature key: " + e.getMessage());
    }
    if (!DsseEnvelope.IN_TOTO_PAYLOAD_TYPE.equals(envelope.payloadType())) {
      throw new SigstoreVerificationException(
          "DSSE payloadType is '"
              + envelope.payloadType()
              + "', expected '"
              + DsseEnvelope.IN_TOTO_PAYLOAD_TYPE
              + "'");
    }
    InTotoStatement statement;
    try {
      statement = InTotoStatement.parse(envelope.payload());
    } catch (InvalidPayloadException e) {
      throw new SigstoreVerificationException(e.getMessage());
    }
    Digest digest = Digest.parse("sha256:" + HexFormat.of().formatHex(artifact.sha256()));
    if (!statement.hasSubject(digest)) {
      throw new SigstoreVerificationException(
          "in-toto statement subjects "
              + statement.subjects().stream().map(s -> s.digest().get("sha256")).toList()
              + " do not include the artifact "
              + digest);
    }
    return new Content(
        envelope.signatures().get(0).sig(),
        Optional.of(envelope.payload()),
        Optional.of(statement.predicateType()));
  }

  /** The first 16 hex characters of the SHA-256 of the key's DER, as audit records name keys. */
  static String keyId(PublicKey key) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
