package io.portcullis.core.policy;

import io.portcullis.core.sigstore.TrustedRoot;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code type: sigstore}: a Sigstore <a
 * href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto">trusted
 * root</a> (Fulcio CAs, Rekor logs, CT logs, timestamp authorities) against which keyless bundles
 * are verified. The root is either a file ({@code trustedRoot}, for private or air-gapped
 * deployments) or the public-good root, shipped in the jar and refreshed through TUF (optionally
 * from a mirror with its own pinned TUF root). The root in force when the policy was loaded is held
 * here, so a refreshed root is a new policy revision and re-decides every image.
 *
 * @param name the store's name
 * @param trustedRootFile the {@code trustedRoot} file, when the store names one
 * @param tuf where a store without a file is refreshed from (empty: the public-good repository)
 * @param root the trusted root in force
 */
public record SigstoreTrustStore(
    String name, Optional<Path> trustedRootFile, Optional<TufSettings> tuf, TrustedRoot root)
    implements PolicyTrustStore {

  public SigstoreTrustStore {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(trustedRootFile, "trustedRootFile");
    Objects.requireNonNull(tuf, "tuf");
    Objects.requireNonNull(root, "root");
  }

  /**
   * A store's {@code tuf} settings: the repository (a mirror of the Sigstore TUF repository) and
   * the TUF {@code root.json} to start from, when not the shipped public-good one.
   *
   * @param url the repository's base URL
   * @param root the pinned TUF root file; empty for the shipped public-good root
   */
  public record TufSettings(String url, Optional<Path> root) {
    public TufSettings {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(root, "root");
    }
  }

  /** Whether the root is refreshed through TUF (no {@code trustedRoot} file). */
  public boolean refreshed() {
    return trustedRootFile.isEmpty();
  }

  @Override
  public SignatureType serves() {
    return SignatureType.COSIGN;
  }

  @Override
  public String typeName() {
    return "sigstore";
  }
}
