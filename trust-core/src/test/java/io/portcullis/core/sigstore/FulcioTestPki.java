package io.portcullis.core.sigstore;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
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
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.OtherName;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway Fulcio-style CA for unit tests: a root, an intermediate, and leaves carrying the OIDC
 * issuer and CI extensions as Fulcio writes them, with a {@code trusted_root.json} naming the CA.
 */
final class FulcioTestPki {
  static final Instant EPOCH = Instant.parse("2025-01-01T00:00:00Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  final KeyPair rootKey = ecKey();
  final KeyPair intermediateKey = ecKey();
  final X509Certificate root;
  final X509Certificate intermediate;

  FulcioTestPki() {
    this(EPOCH, EPOCH.plus(Duration.ofDays(3650)));
  }

  FulcioTestPki(Instant from, Instant until) {
    this(from, until, until);
  }

  /** A root valid {@code from..until} whose intermediate expires earlier, at {@code until}. */
  FulcioTestPki(Instant from, Instant until, Instant intermediateUntil) {
    root =
        ca(
            "CN=test-fulcio-root",
            rootKey.getPublic(),
            "CN=test-fulcio-root",
            rootKey.getPrivate(),
            from,
            until);
    intermediate =
        ca(
            "CN=test-fulcio-root",
            intermediateKey.getPublic(),
            "CN=test-fulcio-intermediate",
            rootKey.getPrivate(),
            from,
            intermediateUntil);
  }

  static KeyPair ecKey() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a leaf says about its holder. */
  record Holder(GeneralName san, String issuerV2, String issuerV1, Map<String, String> extensions) {
    static Holder uri(String uri, String issuer) {
      return new Holder(
          new GeneralName(GeneralName.uniformResourceIdentifier, uri), issuer, null, Map.of());
    }

    static Holder email(String email, String issuer) {
      return new Holder(new GeneralName(GeneralName.rfc822Name, email), issuer, null, Map.of());
    }

    Holder withExtensions(Map<String, String> ext) {
      return new Holder(san, issuerV2, issuerV1, ext);
    }
  }

  static GeneralName otherName(String value) {
    return new GeneralName(
        GeneralName.otherName,
        new OtherName(new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.7"), new DERUTF8String(value)));
  }

  /** A 10-minute code-signing leaf from {@code notBefore}, issued by the intermediate. */
  X509Certificate leaf(PublicKey key, Holder holder, Instant notBefore) {
    return leaf(key, holder, notBefore, true);
  }

  X509Certificate leaf(PublicKey key, Holder holder, Instant notBefore, boolean codeSigning) {
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              new X500Name("CN=test-fulcio-intermediate"),
              new BigInteger(127, RANDOM).add(BigInteger.ONE),
              Date.from(notBefore),
              Date.from(notBefore.plus(Duration.ofMinutes(10))),
              new X500Name(""),
              key);
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      if (codeSigning) {
        b.addExtension(
            Extension.extendedKeyUsage,
            false,
            new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
      }
      b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(holder.san()));
      if (holder.issuerV2() != null) {
        b.addExtension(
            new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.8"),
            false,
            new DERUTF8String(holder.issuerV2()).getEncoded());
      }
      if (holder.issuerV1() != null) {
        b.addExtension(
            new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.1"),
            false,
            holder.issuerV1().getBytes(StandardCharsets.UTF_8));
      }
      for (Map.Entry<String, String> e : holder.extensions().entrySet()) {
        String oid = FulcioExtensions.OIDS.get(e.getKey());
        int arc = Integer.parseInt(oid.substring(oid.lastIndexOf('.') + 1));
        byte[] value =
            arc <= 6
                ? e.getValue().getBytes(StandardCharsets.UTF_8)
                : new DERUTF8String(e.getValue()).getEncoded();
        b.addExtension(new ASN1ObjectIdentifier(oid), false, value);
      }
      return sign(b, intermediateKey.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate ca(
      String issuer,
      PublicKey key,
      String subject,
      PrivateKey signer,
      Instant from,
      Instant until) {
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              new X500Name(issuer),
              new BigInteger(127, RANDOM).add(BigInteger.ONE),
              Date.from(from),
              Date.from(until),
              new X500Name(subject),
              key);
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(1));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return sign(b, signer);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  /** A trusted root listing this CA ({@code [intermediate, root]}) valid from {@code start}. */
  TrustedRoot trustedRoot(Instant start, Instant end) {
    return TrustedRoot.parse(trustedRootJson(start, end).getBytes(StandardCharsets.UTF_8));
  }

  String trustedRootJson(Instant start, Instant end) {
    return trustedRootJson(start, end, List.of(intermediate, root));
  }

  static String trustedRootJson(Instant start, Instant end, List<X509Certificate> chain) {
    return "{\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\","
        + "\"certificateAuthorities\":[{\"uri\":\"https://fulcio.test\",\"certChain\":{\"certificates\":["
        + String.join(",", chain.stream().map(FulcioTestPki::rawBytes).toList())
        + "]},\"validFor\":{\"start\":\""
        + start
        + "\""
        + (end == null ? "" : ",\"end\":\"" + end + "\"")
        + "}}]}";
  }

  static String rawBytes(X509Certificate c) {
    try {
      return "{\"rawBytes\":\"" + Base64.getEncoder().encodeToString(c.getEncoded()) + "\"}";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
