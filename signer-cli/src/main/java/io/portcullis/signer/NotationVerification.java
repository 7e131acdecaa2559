package io.portcullis.signer;

import io.portcullis.core.notation.NotationVerifier;
import io.portcullis.core.notation.VerificationOutcome;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.x509.CertificateChainException;
import io.portcullis.core.x509.TrustStore;
import io.portcullis.core.x509.TrustStoreType;
import io.portcullis.core.x509.TrustedIdentity;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * {@code verify --trust-store DIR [--identity ID] IMAGE}: the image's Notary Project signatures,
 * found through the referrers API or its tag fallback, each verified against the trust store (<a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#signature-verification">Notary
 * verification steps</a>), one report line per signature.
 */
final class NotationVerification {
  private final Path trustStore;
  private final List<String> identities;
  private final NotationVerifier verifier;

  private NotationVerification(Path trustStore, List<String> identities, NotationVerifier v) {
    this.trustStore = trustStore;
    this.identities = List.copyOf(identities);
    this.verifier = v;
  }

  /** Reads the trust store and identities; either unreadable is a usage error. */
  static NotationVerification of(Path trustStore, List<String> identities) {
    List<TrustedIdentity> trusted;
    TrustStore store;
    try {
      trusted =
          identities.isEmpty()
              ? List.of(TrustedIdentity.any())
              : identities.stream().map(TrustedIdentity::parse).toList();
      store = TrustStore.fromDirectory(trustStore, TrustStoreType.CA, "cli");
    } catch (CertificateChainException | IllegalArgumentException | UncheckedIOException e) {
      throw new UsageException(e.getMessage());
    }
    return new NotationVerification(
        trustStore, identities, new NotationVerifier(List.of(store), trusted, Clock.systemUTC()));
  }

  VerificationReport run(RegistryClient client, ResolvedImage target, PrintWriter out) {
    out.println("image " + target.pinned());
    out.println(
        "checking Notary Project signatures against trust store "
            + trustStore
            + (identities.isEmpty() ? "" : " for identity " + String.join(" or ", identities)));
    VerificationReport report = new VerificationReport("Notary Project signatures");
    NotationSignatureStore.Listing listing =
        new NotationSignatureStore(client).list(target.repository(), target.digest());
    listing.note().ifPresent(note -> out.println("NOTE signatures: " + note));
    for (NotationSignatureStore.Found found : listing.found()) {
      VerificationOutcome outcome =
          verifier.verify(
              found.envelope(), found.manifest().envelope().mediaType(), target.digest());
      String subject = "signature " + found.manifest().digest();
      if (outcome.verified()) {
        report.pass(
            subject,
            "integrity, authenticity, timestamp, expiry and target digest passed; signed by "
                + outcome.signingCertificate().getSubjectX500Principal().getName());
      } else {
        report.fail(
            subject,
            outcome
                .firstProblem()
                .map(p -> p.check() + " " + p.result() + ": " + p.reason())
                .orElse("not verified"));
      }
    }
    return report;
  }
}
