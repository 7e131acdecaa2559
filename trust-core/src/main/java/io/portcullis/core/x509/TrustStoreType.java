package io.portcullis.core.x509;

import java.util.Arrays;

/**
 * The kinds of Notary Project <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-store">trust
 * stores</a>, named as the directory under {@code truststore/x509/}.
 */
public enum TrustStoreType {
  /** Certificate authorities for the {@code notary.x509} signing scheme. */
  CA("ca"),
  /** Signing authorities for the {@code notary.x509.signingAuthority} signing scheme. */
  SIGNING_AUTHORITY("signingAuthority"),
  /** Time-stamping authorities whose RFC 3161 countersignatures are trusted. */
  TSA("tsa");

  private final String directoryName;

  TrustStoreType(String directoryName) {
    this.directoryName = directoryName;
  }

  /** The directory name and the prefix in a policy's {@code trustStores} entry, e.g. {@code ca}. */
  public String directoryName() {
    return directoryName;
  }

  /** The type named {@code name} ({@code ca}, {@code signingAuthority}, {@code tsa}). */
  public static TrustStoreType fromName(String name) {
    return Arrays.stream(values())
        .filter(t -> t.directoryName.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new CertificateChainException(
                    "unknown trust store type '" + name + "': use ca, signingAuthority or tsa"));
  }
}
