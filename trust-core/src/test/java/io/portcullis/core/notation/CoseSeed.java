package io.portcullis.core.notation;

import io.portcullis.core.testing.SignedSeeds;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Notation COSE_Sign1 envelope over {@link SignedSeeds#TARGET}, for the properties to
 * mutate: the protected header Notation writes (alg, crit, cty, signing scheme, signing time and
 * expiry as epoch times), the {@code x5chain} and signing agent unprotected, the signature over the
 * Sig_structure the reader checks. The project signs only JWS, so the envelope is assembled here
 * from {@link CborWriter}, {@link CoseEnvelopeCodec#sigStructure} and {@link SignatureAlgorithm}.
 */
final class CoseSeed {
  private static final byte[] ENVELOPE = sign();

  private CoseSeed() {}

  static byte[] envelope() {
    return ENVELOPE.clone();
  }

  private static byte[] sign() {
    SignatureAlgorithm algorithm = SignatureAlgorithm.forKey(SignedSeeds.PKI.signerKey());
    Map<Object, Object> header = new LinkedHashMap<>();
    header.put(1L, (long) algorithm.coseId());
    header.put(2L, List.of(SignedAttributes.SIGNING_SCHEME, SignedAttributes.EXPIRY));
    header.put(3L, SignedAttributes.PAYLOAD_CONTENT_TYPE);
    header.put(SignedAttributes.SIGNING_SCHEME, SigningScheme.X509.value());
    header.put(SignedAttributes.SIGNING_TIME, epoch(SignedSeeds.SIGNING_TIME));
    header.put(SignedAttributes.EXPIRY, epoch(SignedSeeds.EXPIRY));
    byte[] protectedBytes = CborWriter.encode(header);
    byte[] payload = new NotationPayload(SignedSeeds.TARGET).toJson();

    List<Object> chain = new ArrayList<>();
    try {
      for (X509Certificate cert : SignedSeeds.PKI.signingChain()) {
        chain.add(cert.getEncoded());
      }
      byte[] signature =
          algorithm.sign(
              SignedSeeds.PKI.signerKey(), CoseEnvelopeCodec.sigStructure(protectedBytes, payload));
      Map<Object, Object> unprotected = new LinkedHashMap<>();
      unprotected.put(33L, chain);
      unprotected.put("io.cncf.notary.signingAgent", NotationSigner.SIGNING_AGENT);
      return CborWriter.encode(
          new CborWriter.Tag(18, List.of(protectedBytes, unprotected, payload, signature)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the COSE seed", e);
    }
  }

  private static CborWriter.Tag epoch(Instant time) {
    return new CborWriter.Tag(1, time.getEpochSecond());
  }
}
