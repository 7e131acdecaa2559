package io.portcullis.testkit.sigstore;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A Fulcio-style leaf and the ephemeral key it certifies.
 *
 * @param key the ephemeral key pair (P-256)
 * @param leaf the 10-minute certificate
 * @param chain the issuing CA's chain, intermediate first
 */
public record IssuedCertificate(KeyPair key, X509Certificate leaf, List<X509Certificate> chain) {
  public IssuedCertificate {
    chain = List.copyOf(chain);
  }
}
