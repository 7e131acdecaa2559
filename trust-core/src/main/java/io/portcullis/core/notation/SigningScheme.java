package io.portcullis.core.notation;

import io.portcullis.core.x509.TrustStoreType;
import java.util.Arrays;
import java.util.Optional;

/**
 * The Notary Project <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signing-scheme.md">signing
 * schemes</a>, each verified against trust stores of its own type.
 */
public enum SigningScheme {
  /** Signing time is the signer's claim; an RFC 3161 countersignature may vouch for it. */
  X509("notary.x509", TrustStoreType.CA),
  /** A signing authority states an authentic signing time in the signed attributes. */
  X509_SIGNING_AUTHORITY("notary.x509.signingAuthority", TrustStoreType.SIGNING_AUTHORITY);

  private final String value;
  private final TrustStoreType trustStoreType;

  SigningScheme(String value, TrustStoreType trustStoreType) {
    this.value = value;
    this.trustStoreType = trustStoreType;
  }

  /** The header value, e.g. {@code notary.x509}. */
  public String value() {
    return value;
  }

  /** The type of trust store a signature of this scheme must chain to. */
  public TrustStoreType trustStoreType() {
    return trustStoreType;
  }

  public static Optional<SigningScheme> fromValue(String value) {
    return Arrays.stream(values()).filter(s -> s.value.equals(value)).findFirst();
  }
}
