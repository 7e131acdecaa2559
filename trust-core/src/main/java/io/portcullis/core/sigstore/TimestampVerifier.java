package io.portcullis.core.sigstore;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformationVerifier;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.tsp.TSPException;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * Verifies an <a href="https://www.rfc-editor.org/rfc/rfc3161">RFC 3161</a> timestamp of a bundle's
 * signature against the trusted root's timestamp authorities: the token's message imprint is the
 * hash of {@code signature}, its signer chains to an authority valid at the stamped time.
 *
 * <p>The token's own certificates are not trusted: the signer must be the first certificate of a
 * trusted authority's chain, so a token cannot bring its own TSA.
 */
public final class TimestampVerifier {
  /** The largest timestamp read; a response with a two-certificate chain is about 3 KiB. */
  public static final int MAX_BYTES = 64 * 1024;

  // BouncyCastle's ECDSA is several times faster than the JDK's (STYLE.md); not registered
  // globally, so nothing else changes provider
  private static final BouncyCastleProvider BC = new BouncyCastleProvider();

  private static final int MAX_CACHED_CHAINS = 64;
  private static final Map<CertificateAuthority, String> CHAIN_PROBLEMS = new ConcurrentHashMap<>();

  private TimestampVerifier() {}

  /** The verified time stamped over {@code signature}. */
  public static Instant verify(byte[] timestamp, byte[] signature, TrustedRoot root)
      throws SigstoreVerificationException {
    TimeStampToken token = token(timestamp);
    requireImprint(token, signature);
    Instant genTime = token.getTimeStampInfo().getGenTime().toInstant();
    List<String> problems = new ArrayList<>();
    for (CertificateAuthority tsa : root.timestampAuthorities()) {
      String problem = check(token, tsa, genTime);
      if (problem == null) {
        return genTime;
      }
      problems.add(tsa.uri() + ": " + problem);
    }
    throw new SigstoreVerificationException(
        "RFC 3161 timestamp of "
            + genTime
            + " is not signed by a trusted timestamp authority"
            + (problems.isEmpty() ? " (the trusted root lists none)" : ": " + problems));
  }

  /** Null when {@code tsa} signed {@code token} and was valid at {@code genTime}, else why not. */
  private static String check(TimeStampToken token, CertificateAuthority tsa, Instant genTime) {
    List<X509Certificate> chain = tsa.chain();
    X509CertificateHolder signer;
    try {
      signer = new JcaX509CertificateHolder(chain.get(0));
    } catch (CertificateEncodingException e) {
      return "its certificate cannot be encoded";
    }
    if (!token.getSID().match(signer)) {
      return "did not sign it";
    }
    if (!tsa.validity().contains(genTime)) {
      return "was not valid at " + genTime + " (valid " + tsa.validity() + ")";
    }
    try {
      SignerInformationVerifier verifier =
          new JcaSimpleSignerInfoVerifierBuilder().setProvider(BC).build(chain.get(0));
      // checks the signature, the signing certificate's ESSCertID, its timeStamping EKU and that
      // it was valid at the stamped time
      token.validate(verifier);
    } catch (TSPException | OperatorCreationException | RuntimeException e) {
      // BouncyCastle answers some malformed tokens (an unknown algorithm) with a runtime exception
      return "signature does not verify: " + e.getMessage();
    }
    Date at = Date.from(genTime);
    for (X509Certificate c : chain) {
      try {
        c.checkValidity(at);
      } catch (GeneralSecurityException e) {
        return "chain certificate " + c.getSubjectX500Principal() + " was not valid at " + genTime;
      }
    }
    return chainSignaturesProblem(tsa);
  }

  /**
   * Null when each certificate of the authority's chain is signed by the next (the last by itself).
   * The answer depends on the chain alone, so it is remembered: checking two P-384 signatures would
   * otherwise be half of every timestamp's cost.
   */
  private static String chainSignaturesProblem(CertificateAuthority tsa) {
    String cached = CHAIN_PROBLEMS.get(tsa);
    if (cached != null) {
      return cached.isEmpty() ? null : cached;
    }
    String problem = "";
    List<X509Certificate> chain = tsa.chain();
    for (int i = 0; i < chain.size() && problem.isEmpty(); i++) {
      X509Certificate c = chain.get(i);
      try {
        c.verify(chain.get(Math.min(i + 1, chain.size() - 1)).getPublicKey(), BC);
      } catch (GeneralSecurityException e) {
        problem = "chain certificate " + c.getSubjectX500Principal() + " is not signed by the next";
      }
    }
    if (CHAIN_PROBLEMS.size() >= MAX_CACHED_CHAINS) {
      CHAIN_PROBLEMS.clear(); // trusted roots change rarely; a refill costs a few checks
    }
    CHAIN_PROBLEMS.put(tsa, problem);
    return problem.isEmpty() ? null : problem;
  }

  private static void requireImprint(TimeStampToken token, byte[] signature)
      throws SigstoreVerificationException {
    ASN1ObjectIdentifier alg = token.getTimeStampInfo().getMessageImprintAlgOID();
    String name;
    if (NISTObjectIdentifiers.id_sha256.equals(alg)) {
      name = "SHA-256";
    } else if (NISTObjectIdentifiers.id_sha384.equals(alg)) {
      name = "SHA-384";
    } else if (NISTObjectIdentifiers.id_sha512.equals(alg)) {
      name = "SHA-512";
    } else {
      throw new SigstoreVerificationException(
          "RFC 3161 timestamp imprint uses an unsupported hash " + alg.getId());
    }
    byte[] expected;
    try {
      expected = MessageDigest.getInstance(name).digest(signature);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    if (!MessageDigest.isEqual(expected, token.getTimeStampInfo().getMessageImprintDigest())) {
      throw new SigstoreVerificationException(
          "RFC 3161 timestamp is over other bytes than the bundle's signature");
    }
  }

  /** A {@code TimeStampResponse} (what TSAs return and bundles store) or a bare token. */
  private static TimeStampToken token(byte[] der) throws SigstoreVerificationException {
    if (der.length > MAX_BYTES) {
      throw new SigstoreVerificationException(
          "RFC 3161 timestamp is larger than " + MAX_BYTES + " bytes");
    }
    try {
      TimeStampResponse response = new TimeStampResponse(der);
      if (response.getTimeStampToken() == null) {
        throw new SigstoreVerificationException(
            "RFC 3161 timestamp response holds no token (status " + response.getStatus() + ")");
      }
      return response.getTimeStampToken();
    } catch (TSPException | IOException | RuntimeException notAResponse) {
      try {
        return new TimeStampToken(new CMSSignedData(der));
      } catch (TSPException | IOException | CMSException | RuntimeException e) {
        throw new SigstoreVerificationException(
            "RFC 3161 timestamp is neither a TimeStampResponse nor a TimeStampToken");
      }
    }
  }
}
