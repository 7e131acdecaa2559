package io.portcullis.core.policy;

import io.portcullis.core.sigstore.TrustedRoot;
import java.io.IOException;
import java.io.InputStream;

/**
 * The public-good trusted root shipped in the jar: what a {@code sigstore} store without a {@code
 * trustedRoot} file uses when nothing refreshes it (the CLI's lint, tests), so a policy loads
 * offline on day one. Read at each load (a few KiB, parsed in well under a millisecond).
 */
final class ShippedSigstoreRoot {
  /** The shipped snapshot, whatever the store's TUF settings. */
  static final SigstoreRoots ROOTS = (store, tuf) -> read();

  private static final String RESOURCE =
      "/io/portcullis/core/sigstore/public-good-trusted_root.json";

  private ShippedSigstoreRoot() {}

  private static TrustedRoot read() {
    try (InputStream in = ShippedSigstoreRoot.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the shipped public-good trusted root is missing");
      }
      return TrustedRoot.parse(in.readNBytes(TrustedRoot.MAX_BYTES + 1));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the shipped trusted root: " + e.getMessage());
    }
  }
}
