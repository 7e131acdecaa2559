package io.portcullis.core.policy;

import java.util.List;

/**
 * {@code type: cosign}: PEM public keys whose <a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signatures</a>
 * are trusted outright.
 */
public record CosignTrustStore(String name, List<TrustedKey> keys) implements PolicyTrustStore {

  public CosignTrustStore {
    keys = List.copyOf(keys);
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
