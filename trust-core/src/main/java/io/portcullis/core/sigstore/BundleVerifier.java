package io.portcullis.core.sigstore;

/**
 * Verifies Sigstore bundles against a {@link TrustedRoot}, as the <a
 * href="https://docs.sigstore.dev/about/bundle/">bundle verification</a> of the Sigstore clients
 * does. Thread-safe; build one per trusted root and reuse it.
 */
public final class BundleVerifier {
  private final TrustedRoot root;

  public BundleVerifier(TrustedRoot root) {
    this.root = root;
  }

  public TrustedRoot root() {
    return root;
  }

  /** Verifies {@code bundle} over {@code artifact}; never throws for a bad bundle. */
  public BundleOutcome verify(
      SigstoreBundle bundle, Artifact artifact, VerificationRequirements requirements) {
    throw new UnsupportedOperationException("issue 13: BundleVerifier.verify");
  }
}
