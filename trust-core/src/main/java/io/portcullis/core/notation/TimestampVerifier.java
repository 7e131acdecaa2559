package io.portcullis.core.notation;

import io.portcullis.core.x509.CertificateChainException;
import io.portcullis.core.x509.CertificateRequirements;
import io.portcullis.core.x509.TrustStore;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertStore;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.tsp.Accuracy;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TSPValidationException;
import org.bouncycastle.tsp.TimeStampToken;
import org.bouncycastle.tsp.TimeStampTokenInfo;

/**
 * Verifies an RFC 3161 timestamp countersignature over an envelope's signature bytes, following the
 * "Validate Trusted Timestamp" step of <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#steps">signature
 * verification</a>: the message imprint equals the hash of the signature; the token's CMS signature
 * and its signing-certificate(-v2) attribute verify (BouncyCastle {@link TimeStampToken#validate});
 * the TSA certificate meets the time-stamping leaf rules and chains, at genTime, to a certificate
 * in a {@code tsa} trust store.
 */
public final class TimestampVerifier {
  private static final Map<ASN1ObjectIdentifier, String> IMPRINT_HASHES =
      Map.of(
          NISTObjectIdentifiers.id_sha256, "SHA-256",
          NISTObjectIdentifiers.id_sha384, "SHA-384",
          NISTObjectIdentifiers.id_sha512, "SHA-512");
  // RFC 3628 baseline time-stamp policy: its accuracy is one second when none is stated.
  private static final ASN1ObjectIdentifier BASELINE_POLICY =
      new ASN1ObjectIdentifier("0.4.0.2023.1.1");
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  private final List<TrustStore> tsaStores;

  public TimestampVerifier(List<TrustStore> tsaStores) {
    this.tsaStores = List.copyOf(tsaStores);
  }

  /**
   * The authentic time {@code token} vouches for {@code signature}; throws {@link
   * TimestampException} with the reason when the token is not trustworthy.
   */
  public AuthenticTimestamp verify(byte[] token, byte[] signature) {
    if (tsaStores.isEmpty()) {
      throw new TimestampException(
          "the signature carries a timestamp but no tsa trust store is configured");
    }
    TimeStampToken tst;
    try {
      tst = new TimeStampToken(new CMSSignedData(token));
    } catch (CMSException | TSPException | IOException | IllegalArgumentException e) {
      throw new TimestampException("timestamp is not a valid RFC 3161 TimeStampToken");
    }
    TimeStampTokenInfo info = tst.getTimeStampInfo();
    String hash = IMPRINT_HASHES.get(info.getMessageImprintAlgOID());
    if (hash == null) {
      throw new TimestampException(
          "timestamp message imprint uses unsupported hash " + info.getMessageImprintAlgOID());
    }
    try {
      byte[] expected = MessageDigest.getInstance(hash).digest(signature);
      if (!MessageDigest.isEqual(expected, info.getMessageImprintDigest())) {
        throw new TimestampException("timestamp does not cover this signature (imprint mismatch)");
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks " + hash, e);
    }

    List<X509CertificateHolder> holders = new ArrayList<>(tst.getCertificates().getMatches(null));
    X509CertificateHolder signerHolder =
        holders.stream()
            .filter(h -> tst.getSID().match(h))
            .findFirst()
            .orElseThrow(
                () -> new TimestampException("timestamp token does not carry the TSA certificate"));
    try {
      tst.validate(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(signerHolder));
    } catch (TSPValidationException e) {
      throw new TimestampException("timestamp signature is invalid: " + e.getMessage());
    } catch (TSPException | OperatorCreationException | java.security.cert.CertificateException e) {
      throw new TimestampException("timestamp signature cannot be verified: " + e.getMessage());
    }

    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    X509Certificate tsaCert;
    List<X509Certificate> carried = new ArrayList<>();
    try {
      tsaCert = converter.getCertificate(signerHolder);
      for (X509CertificateHolder h : holders) {
        carried.add(converter.getCertificate(h));
      }
    } catch (java.security.cert.CertificateException e) {
      throw new TimestampException("timestamp token carries a malformed certificate");
    }
    Instant genTime = info.getGenTime().toInstant();
    try {
      CertificateRequirements.checkLeaf(tsaCert, CertificateRequirements.Purpose.TIME_STAMPING);
    } catch (CertificateChainException e) {
      throw new TimestampException(e.getMessage());
    }
    chainToTrustStore(tsaCert, carried, genTime);
    return new AuthenticTimestamp(genTime, accuracy(info), tsaCert);
  }

  private void chainToTrustStore(
      X509Certificate tsaCert, List<X509Certificate> carried, Instant at) {
    Set<X509Certificate> trusted =
        tsaStores.stream().flatMap(s -> s.certificates().stream()).collect(Collectors.toSet());
    if (trusted.contains(tsaCert)) {
      return;
    }
    try {
      Set<TrustAnchor> anchors =
          trusted.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet());
      X509CertSelector target = new X509CertSelector();
      target.setCertificate(tsaCert);
      PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
      params.setRevocationEnabled(false);
      params.setDate(Date.from(at));
      params.addCertStore(
          CertStore.getInstance("Collection", new CollectionCertStoreParameters(carried)));
      PKIXCertPathBuilderResult result =
          (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
      // The PKIX builder does not know the Notary CA rules; hold the intermediates to them too.
      var path = result.getCertPath().getCertificates();
      for (int i = 1; i < path.size(); i++) {
        CertificateRequirements.checkCa((X509Certificate) path.get(i), i - 1);
      }
    } catch (CertPathBuilderException e) {
      throw new TimestampException(
          "timestamp certificate '"
              + tsaCert.getSubjectX500Principal().getName()
              + "' does not chain to trust store(s) "
              + tsaStores.stream().map(TrustStore::reference).collect(Collectors.joining(", "))
              + " at "
              + at);
    } catch (CertificateChainException e) {
      throw new TimestampException(e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PKIX path building unavailable in this JDK", e);
    }
  }

  private static Duration accuracy(TimeStampTokenInfo info) {
    Accuracy accuracy = info.getAccuracy();
    if (accuracy == null) {
      return BASELINE_POLICY.equals(info.getPolicy()) ? Duration.ofSeconds(1) : Duration.ZERO;
    }
    Duration d = Duration.ZERO;
    if (accuracy.getSeconds() != null) {
      d = d.plusSeconds(accuracy.getSeconds().longValueExact());
    }
    if (accuracy.getMillis() != null) {
      d = d.plusMillis(accuracy.getMillis().longValueExact());
    }
    if (accuracy.getMicros() != null) {
      d = d.plusNanos(accuracy.getMicros().longValueExact() * 1000);
    }
    return d;
  }

  /** A timestamp that does not vouch for the signature; the message says why. */
  public static final class TimestampException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TimestampException(String message) {
      super(message);
    }
  }
}
