package io.portcullis.signer;

import io.portcullis.core.keys.CertificatePem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS context for a Notary server: the system's trusted CAs, plus those of {@code
 * --dct-ca-file} (a private Notary server's CA adds to the system's, as {@code notary --tlscacert}
 * does for the server, rather than replacing it). Certificates and host names are always verified.
 */
final class DctTls {
  private DctTls() {}

  /** Null (the JDK's default) without a CA file. */
  static SSLContext context(Path caFile) {
    if (caFile == null) {
      return null;
    }
    List<X509Certificate> added;
    try {
      added = CertificatePem.parseAll(Files.readString(caFile, StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UsageException("cannot read --dct-ca-file " + caFile);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--dct-ca-file " + caFile + ": " + e.getMessage());
    }
    if (added.isEmpty()) {
      throw new UsageException("--dct-ca-file " + caFile + " holds no PEM certificate");
    }
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int n = 0;
      for (X509Certificate system : systemIssuers()) {
        trust.setCertificateEntry("system-" + n++, system);
      }
      for (X509Certificate ca : added) {
        trust.setCertificateEntry("dct-ca-" + n++, ca);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a TLS context with " + caFile, e);
    }
  }

  private static X509Certificate[] systemIssuers() throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509.getAcceptedIssuers();
      }
    }
    return new X509Certificate[0];
  }
}
