package io.portcullis.core.sigstore;

import io.portcullis.core.testing.InteropFixtures;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The Sigstore fixtures of {@code shared/interop/sigstore} (see its README), read in place. */
final class LogFixtures {
  static final String PUBLIC_GOOD = "public-good-trusted_root-2026-08.json";
  static final String STAGING = "staging_trusted_root.json";

  private LogFixtures() {}

  static SigstoreBundle bundle(String name) {
    return SigstoreBundle.parse(InteropFixtures.bytes("sigstore/bundles/" + name));
  }

  static TrustedRoot root(String name) {
    return TrustedRoot.parse(InteropFixtures.bytes("sigstore/trustroot/" + name));
  }

  /** The SHA-256 of {@code bundles/artifact.txt}, which every fixture bundle signs. */
  static byte[] artifactSha256() {
    try {
      return MessageDigest.getInstance("SHA-256")
          .digest(InteropFixtures.bytes("sigstore/bundles/artifact.txt"));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
