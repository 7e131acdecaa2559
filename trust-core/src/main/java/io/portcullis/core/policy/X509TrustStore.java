package io.portcullis.core.policy;

import io.portcullis.core.x509.TrustStore;
import java.util.Optional;

/**
 * {@code type: x509}: a Notary Project <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-store">trust
 * store</a> of CA certificates ({@code ca}) and optionally the timestamping roots ({@code tsa})
 * that vouch for RFC 3161 countersignatures.
 */
public record X509TrustStore(String name, TrustStore ca, Optional<TrustStore> tsa)
    implements PolicyTrustStore {

  @Override
  public SignatureType serves() {
    return SignatureType.NOTATION;
  }

  @Override
  public String typeName() {
    return "x509";
  }
}
