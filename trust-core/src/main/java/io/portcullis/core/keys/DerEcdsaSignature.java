package io.portcullis.core.keys;

import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;

/**
 * The ASN.1 {@code Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }} of <a
 * href="https://www.rfc-editor.org/rfc/rfc3279#section-2.2.3">RFC 3279 section 2.2.3</a>. Decoding
 * is strict DER, like Go's {@code ecdsa.VerifyASN1}: BER variants and trailing bytes are refused so
 * one signature cannot be re-encoded into many that all verify.
 */
final class DerEcdsaSignature {
  private DerEcdsaSignature() {}

  /** {r, s}, or null when {@code der} is not a canonical DER pair of positive integers. */
  static BigInteger[] decode(byte[] der) {
    try {
      ASN1Sequence sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(der));
      if (sequence.size() != 2
          || !(sequence.getObjectAt(0) instanceof ASN1Integer r)
          || !(sequence.getObjectAt(1) instanceof ASN1Integer s)
          || !Arrays.equals(sequence.getEncoded(ASN1Encoding.DER), der)
          || r.getValue().signum() <= 0
          || s.getValue().signum() <= 0) {
        return null;
      }
      return new BigInteger[] {r.getValue(), s.getValue()};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  static byte[] encode(BigInteger r, BigInteger s) {
    try {
      return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)})
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException("cannot DER-encode an ECDSA signature", e);
    }
  }
}
