package io.portcullis.testkit.sigstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A Fulcio-style certificate authority: a self-signed root and an intermediate that issues
 * short-lived code-signing leaves with the OIDC issuer extensions, the CI extensions of the
 * identity and an embedded SCT list. The SCT is made the way Fulcio makes it: a precertificate (the
 * leaf with the critical CT poison extension) is sent to the CT log, which signs the
 * precertificate's TBS without the poison; the final certificate is the same TBS with the poison
 * replaced by the SCT list, so a verifier that removes the SCT extension gets back what was signed.
 */
public final class FulcioCa {
  /** How long a Fulcio leaf is valid. */
  public static final Duration LEAF_VALIDITY = Duration.ofMinutes(10);

  private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime());

  /** What to do to the embedded SCT. */
  public enum SctMode {
    /** A valid SCT from the CT log. */
    VALID,
    /** An SCT naming the CT log but signed by another key. */
    WRONG_KEY,
    /** A valid SCT with one signature byte flipped. */
    FLIPPED,
    /** No SCT extension at all. */
    NONE
  }

  private final String name;
  private final EcKeys.Curve curve;
  private final X509Certificate root;
  private final X509Certificate intermediate;
  private final PrivateKey intermediateKey;

  /**
   * Makes a root and an intermediate valid (by their own dates) from {@code notBefore} to {@code
   * notAfter}.
   */
  public FulcioCa(String name, EcKeys.Curve curve, Instant notBefore, Instant notAfter) {
    this.name = name;
    this.curve = curve;
    KeyPair rootKey = EcKeys.generate(curve);
    KeyPair interKey = EcKeys.generate(curve);
    X500Name rootName = new X500Name("O=" + name + ",CN=" + name + " root");
    X500Name interName = new X500Name("O=" + name + ",CN=" + name + " intermediate");
    try {
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder r =
          new JcaX509v3CertificateBuilder(
                  rootName,
                  serial(),
                  date(notBefore),
                  date(notAfter),
                  rootName,
                  rootKey.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(1))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  utils.createSubjectKeyIdentifier(rootKey.getPublic()));
      this.root = sign(r, rootKey.getPrivate());
      X509v3CertificateBuilder i =
          new JcaX509v3CertificateBuilder(
                  root, serial(), date(notBefore), date(notAfter), interName, interKey.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  utils.createSubjectKeyIdentifier(interKey.getPublic()))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  utils.createAuthorityKeyIdentifier(root));
      this.intermediate = sign(i, rootKey.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new IllegalStateException("cannot make CA " + name, e);
    }
    this.intermediateKey = interKey.getPrivate();
  }

  public String name() {
    return name;
  }

  public X509Certificate root() {
    return root;
  }

  public X509Certificate intermediate() {
    return intermediate;
  }

  /** The chain as a trusted root lists it: the issuing certificate first, the root last. */
  public List<X509Certificate> chain() {
    return List.of(intermediate, root);
  }

  /**
   * Issues a 10-minute leaf from {@code notBefore} for {@code leafKey} to {@code identity}, with an
   * SCT from {@code ctLog} dated {@code notBefore} as {@code sctMode} says.
   */
  public X509Certificate issue(
      SigningIdentity identity,
      PublicKey leafKey,
      Instant notBefore,
      CtLog ctLog,
      SctMode sctMode) {
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              intermediate,
              serial(),
              date(notBefore),
              date(notBefore.plus(LEAF_VALIDITY)),
              new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
              leafKey);
      JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(leafKey));
      b.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          utils.createAuthorityKeyIdentifier(intermediate));
      GeneralName san =
          new GeneralName(
              identity.email() ? GeneralName.rfc822Name : GeneralName.uniformResourceIdentifier,
              identity.san());
      b.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(san));
      b.addExtension(
          new ASN1ObjectIdentifier(FulcioOids.ISSUER_V1),
          false,
          identity.issuer().getBytes(StandardCharsets.UTF_8));
      b.addExtension(
          new ASN1ObjectIdentifier(FulcioOids.ISSUER_V2),
          false,
          new DERUTF8String(identity.issuer()));
      for (Map.Entry<String, String> e : identity.extensions().entrySet()) {
        ASN1ObjectIdentifier oid = new ASN1ObjectIdentifier(e.getKey());
        if (FulcioOids.raw(e.getKey())) {
          b.addExtension(oid, false, e.getValue().getBytes(StandardCharsets.UTF_8));
        } else {
          b.addExtension(oid, false, new DERUTF8String(e.getValue()));
        }
      }
      if (sctMode == SctMode.NONE) {
        return sign(b, intermediateKey);
      }
      ASN1ObjectIdentifier poison = new ASN1ObjectIdentifier(FulcioOids.CT_POISON);
      b.addExtension(poison, true, DERNull.INSTANCE);
      X509CertificateHolder precert = b.build(signer(intermediateKey));
      byte[] tbs = withoutExtension(precert, poison);
      byte[] issuerKeyHash = MerkleTree.sha256(intermediate.getPublicKey().getEncoded());
      byte[] sct =
          switch (sctMode) {
            case WRONG_KEY ->
                ctLog.sct(
                    notBefore, issuerKeyHash, tbs, EcKeys.generate(EcKeys.Curve.P256).getPrivate());
            case FLIPPED -> flipLast(ctLog.sct(notBefore, issuerKeyHash, tbs));
            default -> ctLog.sct(notBefore, issuerKeyHash, tbs);
          };
      X509v3CertificateBuilder fin = new X509v3CertificateBuilder(precert);
      fin.removeExtension(poison);
      fin.addExtension(
          new ASN1ObjectIdentifier(FulcioOids.CT_SCT_LIST),
          false,
          new DEROctetString(CtLog.sctList(sct)));
      return convert(fin.build(signer(intermediateKey)));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The DER of {@code cert}'s TBSCertificate with extension {@code oid} removed. */
  static byte[] withoutExtension(X509CertificateHolder cert, ASN1ObjectIdentifier oid)
      throws IOException {
    ASN1Sequence tbs = ASN1Sequence.getInstance(cert.toASN1Structure().getTBSCertificate());
    ASN1EncodableVector out = new ASN1EncodableVector();
    for (int k = 0; k < tbs.size(); k++) {
      if (tbs.getObjectAt(k) instanceof ASN1TaggedObject t && t.getTagNo() == 3) {
        Extensions all = Extensions.getInstance(t.getExplicitBaseObject());
        List<Extension> kept = new ArrayList<>();
        for (ASN1ObjectIdentifier id : all.getExtensionOIDs()) {
          if (!id.equals(oid)) {
            kept.add(all.getExtension(id));
          }
        }
        out.add(new DERTaggedObject(true, 3, new Extensions(kept.toArray(new Extension[0]))));
      } else {
        out.add(tbs.getObjectAt(k));
      }
    }
    return new DERSequence(out).getEncoded("DER");
  }

  // the SCT's signature is its last field, so its last byte is a signature byte
  private static byte[] flipLast(byte[] sct) {
    byte[] copy = sct.clone();
    copy[copy.length - 1] ^= 0x01;
    return copy;
  }

  private X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key)
      throws GeneralSecurityException {
    try {
      return convert(b.build(signer(key)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private org.bouncycastle.operator.ContentSigner signer(PrivateKey key)
      throws OperatorCreationException {
    return new JcaContentSignerBuilder(curve.signatureAlgorithm()).build(key);
  }

  private static X509Certificate convert(X509CertificateHolder holder)
      throws GeneralSecurityException {
    return new JcaX509CertificateConverter().getCertificate(holder);
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIALS.incrementAndGet());
  }

  private static Date date(Instant t) {
    return Date.from(t);
  }
}
