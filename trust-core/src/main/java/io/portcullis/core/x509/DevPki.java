package io.portcullis.core.x509;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away development PKI: a root CA, an intermediate CA, a code-signing leaf that meets the
 * Notary Project <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#certificate-requirements">certificate
 * requirements</a>, and a TLS server certificate for {@code localhost} / {@code 127.0.0.1}.
 *
 * <p>Roots and intermediates use EC P-384, leaves EC P-256 (so signatures are ES256). Keys are made
 * fresh on every call and written only by {@link #writeTo}; nothing here is meant for production.
 * {@link #toString()} never shows key material.
 */
public final class DevPki {
  /** Subject of the code-signing leaf; C, ST and O make it usable as a trusted identity. */
  public static final String SIGNER_SUBJECT =
      "CN=Portcullis Dev Signer, O=Portcullis Dev, ST=WA, C=US";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate root;
  private final X509Certificate intermediate;
  private final KeyPair signerKey;
  private final X509Certificate signer;
  private final KeyPair tlsKey;
  private final X509Certificate tls;

  private DevPki(
      X509Certificate root,
      X509Certificate intermediate,
      KeyPair signerKey,
      X509Certificate signer,
      KeyPair tlsKey,
      X509Certificate tls) {
    this.root = root;
    this.intermediate = intermediate;
    this.signerKey = signerKey;
    this.signer = signer;
    this.tlsKey = tlsKey;
    this.tls = tls;
  }

  /** CAs valid ten years from now; leaves valid one year from now. */
  public static DevPki generate() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    return generate(now.minus(Duration.ofMinutes(5)), Duration.ofDays(365), SIGNER_SUBJECT);
  }

  /**
   * A PKI whose certificates start at {@code notBefore}; the leaves last {@code leafValidity} (use
   * a past {@code notBefore} and short validity for an expired signer) and the CAs ten years.
   */
  public static DevPki generate(Instant notBefore, Duration leafValidity, String signerSubject) {
    try {
      Instant caNotAfter = notBefore.plus(Duration.ofDays(3650));
      Instant leafNotAfter = notBefore.plus(leafValidity);
      KeyPair rootKey = ecKey("secp384r1");
      X500Name rootName = new X500Name("CN=Portcullis Dev Root CA, O=Portcullis Dev, ST=WA, C=US");
      X509Certificate root =
          sign(
              builder(rootName, rootName, rootKey.getPublic(), notBefore, caNotAfter)
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(1))
                  .addExtension(
                      Extension.keyUsage,
                      true,
                      new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                  .addExtension(
                      Extension.subjectKeyIdentifier,
                      false,
                      extensions().createSubjectKeyIdentifier(rootKey.getPublic())),
              rootKey.getPrivate());

      KeyPair intermediateKey = ecKey("secp384r1");
      X500Name intermediateName =
          new X500Name("CN=Portcullis Dev Intermediate CA, O=Portcullis Dev, ST=WA, C=US");
      X509Certificate intermediate =
          sign(
              issued(
                      rootName,
                      root,
                      intermediateName,
                      intermediateKey.getPublic(),
                      notBefore,
                      caNotAfter)
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                  .addExtension(
                      Extension.keyUsage,
                      true,
                      new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)),
              rootKey.getPrivate());

      KeyPair signerKey = ecKey("secp256r1");
      X509Certificate signer =
          sign(
              issued(
                      intermediateName,
                      intermediate,
                      new X500Name(signerSubject),
                      signerKey.getPublic(),
                      notBefore,
                      leafNotAfter)
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                  .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                  .addExtension(
                      Extension.extendedKeyUsage,
                      false,
                      new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning)),
              intermediateKey.getPrivate());

      KeyPair tlsKey = ecKey("secp256r1");
      X509Certificate tls =
          sign(
              issued(
                      intermediateName,
                      intermediate,
                      new X500Name("CN=localhost, O=Portcullis Dev"),
                      tlsKey.getPublic(),
                      notBefore,
                      leafNotAfter)
                  .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                  .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                  .addExtension(
                      Extension.extendedKeyUsage,
                      false,
                      new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
                  .addExtension(
                      Extension.subjectAlternativeName,
                      false,
                      new GeneralNames(
                          new GeneralName[] {
                            new GeneralName(GeneralName.dNSName, "localhost"),
                            new GeneralName(GeneralName.iPAddress, "127.0.0.1")
                          })),
              intermediateKey.getPrivate());
      return new DevPki(root, intermediate, signerKey, signer, tlsKey, tls);
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot generate the development PKI: " + e.getMessage(), e);
    }
  }

  public X509Certificate root() {
    return root;
  }

  public X509Certificate intermediate() {
    return intermediate;
  }

  public X509Certificate signer() {
    return signer;
  }

  public PrivateKey signerKey() {
    return signerKey.getPrivate();
  }

  public X509Certificate tls() {
    return tls;
  }

  public PrivateKey tlsKey() {
    return tlsKey.getPrivate();
  }

  /** The full signing chain {@code [signer, intermediate, root]} a Notary envelope carries. */
  public List<X509Certificate> signingChain() {
    return List.of(signer, intermediate, root);
  }

  /**
   * Writes {@code root.crt}, {@code intermediate.crt}, {@code signer.crt} (signer + intermediate),
   * {@code signer.key} (PKCS#8, 0600), {@code tls.crt} (tls + intermediate) and {@code tls.key}
   * (0600) into {@code dir}. Refuses to replace any existing file unless {@code overwrite}; in that
   * case nothing is written.
   */
  public List<Path> writeTo(Path dir, boolean overwrite) throws IOException {
    Files.createDirectories(dir);
    List<String> names =
        List.of("root.crt", "intermediate.crt", "signer.crt", "signer.key", "tls.crt", "tls.key");
    if (!overwrite) {
      for (String name : names) {
        if (Files.exists(dir.resolve(name))) {
          throw new FileAlreadyExistsException(
              dir.resolve(name) + " exists; pass overwrite to replace the development PKI");
        }
      }
    }
    PemFiles.writePublic(dir.resolve("root.crt"), PemFiles.certificates(List.of(root)), overwrite);
    PemFiles.writePublic(
        dir.resolve("intermediate.crt"), PemFiles.certificates(List.of(intermediate)), overwrite);
    PemFiles.writePublic(
        dir.resolve("signer.crt"), PemFiles.certificates(List.of(signer, intermediate)), overwrite);
    PemFiles.writeSecret(
        dir.resolve("signer.key"), PemFiles.privateKey(signerKey.getPrivate()), overwrite);
    PemFiles.writePublic(
        dir.resolve("tls.crt"), PemFiles.certificates(List.of(tls, intermediate)), overwrite);
    PemFiles.writeSecret(
        dir.resolve("tls.key"), PemFiles.privateKey(tlsKey.getPrivate()), overwrite);
    return names.stream().map(dir::resolve).toList();
  }

  @Override
  public String toString() {
    return "DevPki[root="
        + root.getSubjectX500Principal()
        + ", signer="
        + signer.getSubjectX500Principal()
        + "]";
  }

  private static KeyPair ecKey(String curve) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec(curve), RANDOM);
    return generator.generateKeyPair();
  }

  private static JcaX509ExtensionUtils extensions() throws GeneralSecurityException {
    return new JcaX509ExtensionUtils();
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, PublicKey key, Instant notBefore, Instant notAfter) {
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(127, RANDOM).add(BigInteger.ONE),
        Date.from(notBefore),
        Date.from(notAfter),
        subject,
        key);
  }

  private static X509v3CertificateBuilder issued(
      X500Name issuerName,
      X509Certificate issuer,
      X500Name subject,
      PublicKey key,
      Instant notBefore,
      Instant notAfter)
      throws GeneralSecurityException, CertIOException {
    return builder(issuerName, subject, key, notBefore, notAfter)
        .addExtension(
            Extension.subjectKeyIdentifier, false, extensions().createSubjectKeyIdentifier(key))
        .addExtension(
            Extension.authorityKeyIdentifier,
            false,
            extensions().createAuthorityKeyIdentifier(issuer));
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws GeneralSecurityException, OperatorCreationException {
    var holder = builder.build(new JcaContentSignerBuilder("SHA384withECDSA").build(key));
    return new JcaX509CertificateConverter().getCertificate(holder);
  }
}
