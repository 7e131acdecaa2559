package io.portcullis.testkit.sigstore;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;

/**
 * A certificate transparency log that only signs: it issues <a
 * href="https://www.rfc-editor.org/rfc/rfc6962#section-3.2">RFC 6962 v1 SCTs</a> for
 * precertificates, over the {@code digitally-signed} struct {@code (version 0,
 * certificate_timestamp, timestamp, precert_entry, issuer_key_hash, tbs_certificate, extensions)},
 * with ECDSA-SHA-256 ({@code hash 4, signature 3}).
 */
public final class CtLog {
  private static final int PRECERT_ENTRY = 1;
  private static final int SHA256 = 4;
  private static final int ECDSA = 3;

  private final KeyPair key;
  private final byte[] logId;

  public CtLog(KeyPair key) {
    this.key = key;
    this.logId = EcKeys.logId(key.getPublic());
  }

  public PublicKey publicKey() {
    return key.getPublic();
  }

  public byte[] logId() {
    return logId.clone();
  }

  /**
   * The TLS-encoded SCT for a precertificate.
   *
   * @param issuerKeyHash SHA-256 of the issuer's SubjectPublicKeyInfo
   * @param tbs the precertificate's TBSCertificate DER without the poison extension
   */
  public byte[] sct(Instant time, byte[] issuerKeyHash, byte[] tbs) {
    return sct(time, issuerKeyHash, tbs, key.getPrivate());
  }

  /** An SCT naming this log but signed by {@code signingKey} (a fault: another key). */
  byte[] sct(Instant time, byte[] issuerKeyHash, byte[] tbs, PrivateKey signingKey) {
    long millis = time.toEpochMilli();
    byte[] signed = signedData(millis, issuerKeyHash, tbs);
    byte[] sig = EcKeys.sign(signingKey, signed);
    return tls(
        out -> {
          out.writeByte(0); // v1
          out.write(logId);
          out.writeLong(millis);
          out.writeShort(0); // no extensions
          out.writeByte(SHA256);
          out.writeByte(ECDSA);
          out.writeShort(sig.length);
          out.write(sig);
        });
  }

  /** The input of the SCT signature for a precertificate entry. */
  static byte[] signedData(long millis, byte[] issuerKeyHash, byte[] tbs) {
    return tls(
        out -> {
          out.writeByte(0); // v1
          out.writeByte(0); // certificate_timestamp
          out.writeLong(millis);
          out.writeShort(PRECERT_ENTRY);
          out.write(issuerKeyHash);
          out.writeByte(tbs.length >>> 16);
          out.writeShort(tbs.length & 0xffff);
          out.write(tbs);
          out.writeShort(0); // no extensions
        });
  }

  /** The {@code SignedCertificateTimestampList}: each SCT and the list length-prefixed (u16). */
  public static byte[] sctList(byte[]... scts) {
    int total = 0;
    for (byte[] s : scts) {
      total += 2 + s.length;
    }
    int length = total;
    return tls(
        out -> {
          out.writeShort(length);
          for (byte[] s : scts) {
            out.writeShort(s.length);
            out.write(s);
          }
        });
  }

  private interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] tls(Writer w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      w.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}
