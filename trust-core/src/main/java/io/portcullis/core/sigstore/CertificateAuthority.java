package io.portcullis.core.sigstore;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A Fulcio certificate authority ({@code certificateAuthorities}) or a timestamp authority ({@code
 * timestampAuthorities}) of the trusted root.
 *
 * @param uri the authority's URL
 * @param chain its certificates as the trusted root lists them: the issuing certificate first, the
 *     root last
 * @param validity when it may have issued what it signs
 */
public record CertificateAuthority(String uri, List<X509Certificate> chain, Validity validity) {
  public CertificateAuthority {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new SigstoreFormatException("certificate authority " + uri + " has no certificates");
    }
  }
}
