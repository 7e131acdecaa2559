package io.portcullis.core.policy;

import io.portcullis.core.sigstore.TrustedRootSource;

/**
 * The public-good trusted root shipped in the jar: what a {@code sigstore} store without a {@code
 * trustedRoot} file uses when nothing refreshes it (the CLI's lint, tests), so a policy loads
 * offline on day one.
 */
final class ShippedSigstoreRoot {
  /** The shipped snapshot, whatever the store's TUF settings. */
  static final SigstoreRoots ROOTS = (store, tuf) -> TrustedRootSource.shipped().current();

  private ShippedSigstoreRoot() {}
}
