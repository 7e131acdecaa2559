package io.portcullis.core.policy;

import io.portcullis.core.sigstore.BundleVerifier;
import io.portcullis.core.sigstore.CertificateIdentity;
import io.portcullis.core.sigstore.TransparencyLog;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.sigstore.VerificationRequirements;
import java.security.PublicKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link BundleVerifier}s of one trust policy, built once: one per {@code sigstore} store over
 * its trusted root, and one for key-based bundles of cosign key stores, whose transparency log
 * entries (present, or required by {@code tlog: required}) are checked against the logs of the
 * {@code sigstore} store the key store names ({@code sigstore: <store>}, for a private Rekor), else
 * against the public-good logs: the refreshed root of a public-good {@code sigstore} store of the
 * policy when it has one, else the root shipped in the jar.
 */
final class SigstoreVerifiers {
  private static final TrustedRoot NO_LOGS =
      new TrustedRoot(null, List.of(), List.of(), List.of(), List.of(), new byte[32]);

  private final Map<String, BundleVerifier> byStore = new HashMap<>();
  private final BundleVerifier keyLogs;

  SigstoreVerifiers(TrustPolicy policy) {
    TrustedRoot publicGood = null;
    for (PolicyTrustStore store : policy.trustStores().values()) {
      if (store instanceof SigstoreTrustStore sigstore) {
        byStore.put(sigstore.name(), new BundleVerifier(sigstore.root()));
        if (sigstore.refreshed() && sigstore.tuf().isEmpty()) {
          publicGood = sigstore.root();
        }
      }
    }
    this.keyLogs = new BundleVerifier(publicGood != null ? publicGood : shipped());
  }

  private static TrustedRoot shipped() {
    try {
      return ShippedSigstoreRoot.ROOTS.current("", java.util.Optional.empty());
    } catch (RuntimeException e) {
      // without a root, key-based bundles with a log entry fail; those without still verify
      return NO_LOGS;
    }
  }

  /**
   * Keyless bundles of {@code store} signed by one of {@code identities}; logged when {@code
   * tlogRequired}, else timed by a verified RFC 3161 timestamp or log entry (never unverified).
   */
  BundleRequirementVerifier forIdentities(
      SigstoreTrustStore store, List<CertificateIdentity> identities, boolean tlogRequired) {
    return new BundleRequirementVerifier(
        store.name(),
        byStore.get(store.name()),
        new VerificationRequirements(identities, List.of(), tlogRequired));
  }

  /** Key-based bundles signed by a key of {@code store}, logged when {@code tlogRequired}. */
  BundleRequirementVerifier forKeys(CosignTrustStore store, boolean tlogRequired) {
    return new BundleRequirementVerifier(
        store.name(),
        logsOf(store),
        VerificationRequirements.keys(
            store.keys().stream().map(TrustedKey::key).toList(), tlogRequired));
  }

  /** The verifier of {@code store}'s trusted root. */
  BundleVerifier verifier(SigstoreTrustStore store) {
    return byStore.get(store.name());
  }

  /**
   * The keys of the logs {@code store}'s legacy signatures are checked against under tlog:
   * required.
   */
  List<PublicKey> keyLogKeys(CosignTrustStore store) {
    return logsOf(store).root().tlogs().stream().map(TransparencyLog::key).toList();
  }

  /**
   * The verifier over the logs of {@code store}'s key signatures: the trusted root of the {@code
   * sigstore} store it names (a private Rekor), else the public-good logs.
   */
  BundleVerifier logsOf(CosignTrustStore store) {
    return store.logs().map(byStore::get).orElse(keyLogs);
  }
}
