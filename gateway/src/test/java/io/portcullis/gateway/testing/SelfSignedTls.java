package io.portcullis.gateway.testing;

import io.portcullis.core.x509.PemFiles;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed P-256 certificate and its key, for a test listener (or a test client, trusted as
 * its own CA); each has a serial of its own, so a test can tell which one it was served.
 */
public record SelfSignedTls(X509Certificate certificate, KeyPair key) {
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xffffffffL);

  /** For {@code cn}, valid from an hour ago for a day. */
  public static SelfSignedTls of(String cn) throws GeneralSecurityException {
    Instant now = Instant.now();
    return of(cn, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
  }

  /** For {@code cn}, valid from {@code notBefore} to {@code notAfter}. */
  public static SelfSignedTls of(String cn, Instant notBefore, Instant notAfter)
      throws GeneralSecurityException {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    KeyPair pair = gen.generateKeyPair();
    X500Name name = new X500Name("CN=" + cn);
    try {
      X509Certificate cert =
          new JcaX509CertificateConverter()
              .getCertificate(
                  new JcaX509v3CertificateBuilder(
                          name,
                          BigInteger.valueOf(SERIALS.incrementAndGet()),
                          Date.from(notBefore),
                          Date.from(notAfter),
                          name,
                          pair.getPublic())
                      .build(
                          new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      return new SelfSignedTls(cert, pair);
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  /** The certificate as PEM. */
  public String certificatePem() {
    return PemFiles.certificates(List.of(certificate));
  }

  /** The private key as PEM. */
  public String keyPem() {
    return PemFiles.privateKey(key.getPrivate());
  }

  /** Writes (or replaces) {@code cert} and {@code keyFile} with this certificate and key. */
  public void write(Path cert, Path keyFile) throws IOException {
    Files.writeString(cert, certificatePem());
    Files.writeString(keyFile, keyPem());
  }
}
