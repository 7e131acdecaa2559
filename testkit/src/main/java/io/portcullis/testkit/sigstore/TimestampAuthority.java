package io.portcullis.testkit.sigstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.tsp.TSPAlgorithms;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampRequest;
import org.bouncycastle.tsp.TimeStampRequestGenerator;
import org.bouncycastle.tsp.TimeStampResponseGenerator;
import org.bouncycastle.tsp.TimeStampTokenGenerator;

/**
 * An <a href="https://www.rfc-editor.org/rfc/rfc3161">RFC 3161</a> timestamp authority: a root and
 * a signing certificate with the critical {@code timeStamping} EKU, answering with DER {@code
 * TimeStampResp} bytes (what a bundle's {@code rfc3161Timestamps[].signedTimestamp} holds).
 */
public final class TimestampAuthority {
  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

  private final X509Certificate root;
  private final X509Certificate signing;
  private final KeyPair signingKey;

  TimestampAuthority(Instant notBefore, Instant notAfter) {
    KeyPair rootKey = EcKeys.generate(EcKeys.Curve.P384);
    this.signingKey = EcKeys.generate(EcKeys.Curve.P256);
    X500Name rootName = new X500Name("O=private-tsa,CN=private-tsa root");
    try {
      JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
      this.root =
          conv.getCertificate(
              new JcaX509v3CertificateBuilder(
                      rootName,
                      serial(),
                      Date.from(notBefore),
                      Date.from(notAfter),
                      rootName,
                      rootKey.getPublic())
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                  .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign))
                  .build(
                      new JcaContentSignerBuilder("SHA384withECDSA").build(rootKey.getPrivate())));
      this.signing =
          conv.getCertificate(
              new JcaX509v3CertificateBuilder(
                      root,
                      serial(),
                      Date.from(notBefore),
                      Date.from(notAfter),
                      new X500Name("O=private-tsa,CN=private-tsa signer"),
                      signingKey.getPublic())
                  .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                  .addExtension(
                      Extension.extendedKeyUsage,
                      true,
                      new ExtendedKeyUsage(KeyPurposeId.id_kp_timeStamping))
                  .build(
                      new JcaContentSignerBuilder("SHA384withECDSA").build(rootKey.getPrivate())));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot make the TSA", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The chain as a trusted root lists it: signing certificate first, root last. */
  public List<X509Certificate> chain() {
    return List.of(signing, root);
  }

  /** A DER {@code TimeStampResp} over the SHA-256 of {@code data}, at {@code time}. */
  public byte[] timestamp(byte[] data, Instant time) {
    try {
      TimeStampTokenGenerator tokens =
          new TimeStampTokenGenerator(
              new JcaSimpleSignerInfoGeneratorBuilder()
                  .build("SHA256withECDSA", signingKey.getPrivate(), signing),
              new JcaDigestCalculatorProviderBuilder()
                  .build()
                  .get(
                      new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                          org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256)),
              new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.2"));
      tokens.addCertificates(new JcaCertStore(chain()));
      TimeStampRequestGenerator requests = new TimeStampRequestGenerator();
      requests.setCertReq(true);
      TimeStampRequest request =
          requests.generate(TSPAlgorithms.SHA256, MerkleTree.sha256(data), serial());
      return new TimeStampResponseGenerator(tokens, TSPAlgorithms.ALLOWED)
          .generate(request, serial(), Date.from(time))
          .getEncoded();
    } catch (GeneralSecurityException | OperatorCreationException | TSPException e) {
      throw new IllegalStateException("cannot timestamp", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIALS.incrementAndGet());
  }
}
