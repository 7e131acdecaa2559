package io.portcullis.core.sigstore;

import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.SignatureAlgorithm;
import io.portcullis.core.keys.Verifiers;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;

/**
 * Verifies the <a href="https://www.rfc-editor.org/rfc/rfc6962#section-3.3">embedded signed
 * certificate timestamps</a> of a Fulcio leaf against the trusted root's CT logs: the
 * precertificate TBS is rebuilt (the SCT extension removed, the issuer key hash from {@code
 * issuer}) and the SCT signature checked under the CT log named by its log id, valid at the SCT's
 * time.
 *
 * <p>The TLS structures are read here by hand: BouncyCastle's TLS module is a large dependency for
 * two length-prefixed records.
 */
public final class SctVerifier {
  /** The X.509 extension that carries the SCT list (RFC 6962 section 3.3). */
  static final ASN1ObjectIdentifier SCT_LIST = new ASN1ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2");

  /** More SCTs than any CA embeds; the rest are not looked at. */
  static final int MAX_SCTS = 16;

  private SctVerifier() {}

  /** One parsed SCT v1. */
  record Sct(
      byte[] logId,
      long timestampMillis,
      byte[] extensions,
      int hashAlgorithm,
      int signatureAlgorithm,
      byte[] signature) {}

  /** Passes when at least one embedded SCT verifies; otherwise says why none did. */
  public static void verify(X509Certificate leaf, X509Certificate issuer, TrustedRoot root)
      throws SigstoreVerificationException {
    byte[] extension = leaf.getExtensionValue(SCT_LIST.getId());
    if (extension == null) {
      throw new SigstoreVerificationException("certificate has no embedded SCT");
    }
    List<Sct> scts;
    byte[] tbs;
    byte[] issuerKeyHash;
    try {
      byte[] list =
          ASN1OctetString.getInstance(ASN1OctetString.getInstance(extension).getOctets())
              .getOctets();
      scts = parseList(list);
      tbs = precertificateTbs(leaf.getEncoded());
      issuerKeyHash = MerkleProofs.sha256().digest(issuer.getPublicKey().getEncoded());
    } catch (IllegalArgumentException
        | IllegalStateException
        | java.nio.BufferUnderflowException
        | IOException
        | CertificateEncodingException e) {
      throw new SigstoreVerificationException(
          "certificate's embedded SCT list is malformed: " + e.getMessage());
    }
    List<String> problems = new ArrayList<>();
    for (Sct sct : scts) {
      String problem = check(sct, tbs, issuerKeyHash, root);
      if (problem == null) {
        return;
      }
      problems.add(problem);
    }
    throw new SigstoreVerificationException(
        "no embedded SCT verifies: " + String.join("; ", problems));
  }

  /** Null when {@code sct} verifies under a CT log of {@code root}, else why not. */
  private static String check(Sct sct, byte[] tbs, byte[] issuerKeyHash, TrustedRoot root) {
    String id = HexFormat.of().formatHex(sct.logId());
    TransparencyLog log =
        root.ctlogs().stream().filter(l -> l.hasId(sct.logId())).findFirst().orElse(null);
    if (log == null) {
      return "SCT of CT log " + id + ", which is not in the trusted root";
    }
    Instant time = Instant.ofEpochMilli(sct.timestampMillis());
    if (!log.validity().contains(time)) {
      return "SCT time " + time + " is outside CT log " + log.baseUrl() + "'s " + log.validity();
    }
    if (!schemeOf(log).equals(List.of(sct.hashAlgorithm(), sct.signatureAlgorithm()))) {
      return "SCT of CT log "
          + log.baseUrl()
          + " names another signature scheme ("
          + sct.hashAlgorithm()
          + ", "
          + sct.signatureAlgorithm()
          + ") than the log's key";
    }
    byte[] signed = signedData(sct, tbs, issuerKeyHash);
    if (!SignedEntryTimestamp.verifies(log.key(), signed, sct.signature())) {
      return "SCT signature of CT log " + log.baseUrl() + " is not valid";
    }
    return null;
  }

  /**
   * The TLS (HashAlgorithm, SignatureAlgorithm) pair the log's key signs with (RFC 5246 section
   * 7.4.1.4.1): the SCT's own pair is not covered by its signature, so it must agree with the key.
   */
  private static List<Integer> schemeOf(TransparencyLog log) {
    SignatureAlgorithm algorithm;
    try {
      algorithm = Verifiers.forPublicKey(log.key()).algorithm();
    } catch (KeyFormatException e) {
      return List.of();
    }
    return switch (algorithm) {
      case ECDSA_P256_SHA256 -> List.of(4, 3);
      case ECDSA_P384_SHA384 -> List.of(5, 3);
      case RSA_PKCS1V15_SHA256 -> List.of(4, 1);
      case ED25519 -> List.of(8, 7);
      default -> List.of();
    };
  }

  /** The {@code digitally-signed} struct of a precertificate entry (RFC 6962 section 3.2). */
  static byte[] signedData(Sct sct, byte[] tbs, byte[] issuerKeyHash) {
    ByteBuffer b =
        ByteBuffer.allocate(1 + 1 + 8 + 2 + 32 + 3 + tbs.length + 2 + sct.extensions().length);
    b.put((byte) 0); // sct_version v1
    b.put((byte) 0); // signature_type certificate_timestamp
    b.putLong(sct.timestampMillis());
    b.putShort((short) 1); // entry_type precert_entry
    b.put(issuerKeyHash);
    b.put((byte) (tbs.length >>> 16)).put((byte) (tbs.length >>> 8)).put((byte) tbs.length);
    b.put(tbs);
    b.putShort((short) sct.extensions().length);
    b.put(sct.extensions());
    return b.array();
  }

  /** A {@code SignedCertificateTimestampList}: {@code opaque SerializedSCT<1..2^16-1>} items. */
  static List<Sct> parseList(byte[] list) {
    ByteBuffer in = ByteBuffer.wrap(list);
    ByteBuffer items = slice(in, Short.toUnsignedInt(in.getShort()));
    requireEmpty(in, "SCT list");
    List<Sct> out = new ArrayList<>();
    while (items.hasRemaining() && out.size() < MAX_SCTS) {
      ByteBuffer one = slice(items, Short.toUnsignedInt(items.getShort()));
      if (one.get() != 0) {
        continue; // an SCT version this verifier does not know is not evidence either way
      }
      byte[] logId = new byte[32];
      one.get(logId);
      long timestamp = one.getLong();
      byte[] extensions = bytes(one, Short.toUnsignedInt(one.getShort()));
      int hash = Byte.toUnsignedInt(one.get());
      int sigAlg = Byte.toUnsignedInt(one.get());
      byte[] signature = bytes(one, Short.toUnsignedInt(one.getShort()));
      requireEmpty(one, "SCT");
      out.add(new Sct(logId, timestamp, extensions, hash, sigAlg, signature));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no v1 SCT in the list");
    }
    return out;
  }

  /**
   * The leaf's TBSCertificate without the SCT list extension: what the CT log signed when it saw
   * the precertificate (whose poison extension the CA dropped, and whose SCTs did not exist yet).
   */
  static byte[] precertificateTbs(byte[] certificateDer) throws IOException {
    ASN1Sequence tbs =
        ASN1Sequence.getInstance(Certificate.getInstance(certificateDer).getTBSCertificate());
    ASN1EncodableVector rebuilt = new ASN1EncodableVector();
    for (ASN1Encodable element : tbs) {
      if (element instanceof ASN1TaggedObject tagged && tagged.getTagNo() == 3) {
        Extensions extensions = Extensions.getInstance(tagged.getExplicitBaseObject());
        ASN1EncodableVector kept = new ASN1EncodableVector();
        for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
          if (!oid.equals(SCT_LIST)) {
            Extension e = extensions.getExtension(oid);
            kept.add(e);
          }
        }
        rebuilt.add(new DERTaggedObject(true, 3, new DERSequence(kept)));
      } else {
        rebuilt.add(element);
      }
    }
    return new DERSequence(rebuilt).getEncoded(ASN1Encoding.DER);
  }

  private static ByteBuffer slice(ByteBuffer in, int length) {
    if (length > in.remaining()) {
      throw new IllegalArgumentException("length " + length + " runs past the end");
    }
    ByteBuffer out = in.slice();
    out.limit(length);
    in.position(in.position() + length);
    return out;
  }

  private static byte[] bytes(ByteBuffer in, int length) {
    byte[] out = new byte[length];
    slice(in, length).get(out);
    return out;
  }

  private static void requireEmpty(ByteBuffer in, String what) {
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(what + " has trailing bytes");
    }
  }
}
