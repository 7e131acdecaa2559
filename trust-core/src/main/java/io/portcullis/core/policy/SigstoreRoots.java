package io.portcullis.core.policy;

import io.portcullis.core.policy.SigstoreTrustStore.TufSettings;
import io.portcullis.core.sigstore.TrustedRoot;
import java.util.Optional;

/**
 * Where the loader gets the current trusted root of a {@code type: sigstore} store that names no
 * {@code trustedRoot} file: the gateway answers with its TUF-refreshed roots (refreshed on a worker
 * thread, never here), the CLI with the shipped public-good snapshot or its own refreshed cache.
 * Implementations answer from memory or a local cache only: loading a policy does no network I/O.
 */
@FunctionalInterface
public interface SigstoreRoots {
  /**
   * The root in force for {@code store}.
   *
   * @param tuf the store's {@code tuf} settings; empty for the public-good repository
   * @throws IllegalStateException when no root is available, with a message saying why
   */
  TrustedRoot current(String store, Optional<TufSettings> tuf);
}
