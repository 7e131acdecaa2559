package io.portcullis.core.dct;

import io.portcullis.core.registry.Credentials;
import io.portcullis.core.tuf.HttpTufRemote;
import io.portcullis.core.tuf.TufRemote;
import io.portcullis.core.x509.CertificateReader;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How to reach a Notary v1 server: its URL, the CA certificates its TLS certificate chains to (when
 * the system's do not), and the credentials for its token service. Makes the {@link TufRemote} of a
 * GUN ({@code <server>/v2/<gun>/_trust/tuf/}), for the gateway and the CLI alike.
 */
public record NotaryServer(
    URI url, List<X509Certificate> caCertificates, Optional<Credentials> credentials) {

  public NotaryServer {
    Objects.requireNonNull(url, "url");
    caCertificates = List.copyOf(caCertificates);
    Objects.requireNonNull(credentials, "credentials");
  }

  /** The server at {@code url} trusting the CA certificates in the PEM or DER {@code caBytes}. */
  public static NotaryServer of(
      URI url, Optional<byte[]> caBytes, Optional<Credentials> credentials) {
    List<X509Certificate> cas =
        caBytes.map(b -> CertificateReader.read(b, "the Notary CA file")).orElse(List.of());
    return new NotaryServer(url, cas, credentials);
  }

  /**
   * The remote of {@code gun}'s metadata; blocking (a worker thread's), answering the server's
   * token challenges with a {@link NotaryTokenAuthorizer}.
   */
  public TufRemote remote(Gun gun, Duration timeout, Clock clock) {
    SSLContext tls = tls();
    String base = url.toString().replaceAll("/+$", "");
    return new HttpTufRemote(
        URI.create(base + "/v2/" + gun.value() + "/_trust/tuf/"),
        timeout,
        tls,
        new NotaryTokenAuthorizer(gun, credentials, tls, timeout, clock));
  }

  private SSLContext tls() {
    if (caCertificates.isEmpty()) {
      return null;
    }
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      for (int i = 0; i < caCertificates.size(); i++) {
        trust.setCertificateEntry("notary-ca-" + i, caCertificates.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("cannot build a TLS context for " + url, e);
    }
  }

  @Override
  public String toString() {
    return url.toString(); // never the credentials
  }
}
