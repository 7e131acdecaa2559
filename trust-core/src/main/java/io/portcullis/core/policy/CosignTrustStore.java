package io.portcullis.core.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code type: cosign}: PEM public keys whose <a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signatures</a>
 * are trusted outright.
 *
 * @param logs the {@code sigstore} store whose trusted root lists the transparency logs these keys'
 *     signatures are logged in (a private Rekor); empty for the public-good logs
 */
public record CosignTrustStore(String name, List<TrustedKey> keys, Optional<String> logs)
    implements PolicyTrustStore {

  public CosignTrustStore {
    keys = List.copyOf(keys);
    Objects.requireNonNull(logs, "logs");
  }

  /** Keys whose logged signatures are checked against the public-good logs. */
  public CosignTrustStore(String name, List<TrustedKey> keys) {
    this(name, keys, Optional.empty());
  }

  @Override
  public SignatureType serves() {
    return SignatureType.COSIGN;
  }

  @Override
  public String typeName() {
    return "cosign";
  }
}
