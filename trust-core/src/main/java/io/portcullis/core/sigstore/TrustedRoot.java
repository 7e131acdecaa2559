package io.portcullis.core.sigstore;

import static io.portcullis.core.sigstore.SigstoreJson.bytes;
import static io.portcullis.core.sigstore.SigstoreJson.object;
import static io.portcullis.core.sigstore.SigstoreJson.optionalText;
import static io.portcullis.core.sigstore.SigstoreJson.time;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.PublicKeyPem;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * A Sigstore <a
 * href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto">TrustedRoot</a>
 * ({@code trusted_root.json}): the Rekor logs, Fulcio CAs, CT logs and timestamp authorities a
 * verifier trusts, each with the window in which it may be used.
 *
 * @param sha256 the SHA-256 of the document's bytes, so a change of root can be noticed
 */
public record TrustedRoot(
    String mediaType,
    List<TransparencyLog> tlogs,
    List<CertificateAuthority> certificateAuthorities,
    List<TransparencyLog> ctlogs,
    List<CertificateAuthority> timestampAuthorities,
    byte[] sha256) {

  /** Media types of the TrustedRoot versions read. */
  public static final String MEDIA_TYPE_PREFIX = "application/vnd.dev.sigstore.trustedroot";

  /** The largest trusted_root.json read (today's public-good one is about 7 KiB). */
  public static final int MAX_BYTES = 1024 * 1024;

  public TrustedRoot {
    tlogs = List.copyOf(tlogs);
    certificateAuthorities = List.copyOf(certificateAuthorities);
    ctlogs = List.copyOf(ctlogs);
    timestampAuthorities = List.copyOf(timestampAuthorities);
    sha256 = sha256.clone();
  }

  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  /** Parses a {@code trusted_root.json}; a malformed one is refused whole. */
  public static TrustedRoot parse(byte[] json) {
    if (json.length > MAX_BYTES) {
      throw new SigstoreFormatException("trusted root is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = StrictJson.readObject(json);
    } catch (StrictJson.InvalidJsonException e) {
      throw new SigstoreFormatException("trusted root is not valid JSON: " + e.getMessage());
    }
    String mediaType = optionalText(root, "mediaType");
    if (mediaType != null && !mediaType.startsWith(MEDIA_TYPE_PREFIX)) {
      throw new SigstoreFormatException("not a Sigstore trusted root: mediaType " + mediaType);
    }
    List<TransparencyLog> tlogs = logs(root, "tlogs");
    List<CertificateAuthority> cas = authorities(root, "certificateAuthorities");
    List<TransparencyLog> ctlogs = logs(root, "ctlogs");
    List<CertificateAuthority> tsas = authorities(root, "timestampAuthorities");
    return new TrustedRoot(mediaType, tlogs, cas, ctlogs, tsas, digest(json));
  }

  private static List<TransparencyLog> logs(JsonNode root, String field) {
    List<TransparencyLog> out = new ArrayList<>();
    for (JsonNode log : array(root, field)) {
      String url = optionalText(log, "baseUrl");
      JsonNode key = object(log, "publicKey");
      byte[] der = bytes(key, "rawBytes");
      String details = optionalText(key, "keyDetails");
      PublicKey publicKey;
      try {
        publicKey = PublicKeyPem.fromDer(spki(der, details));
      } catch (KeyFormatException | IOException e) {
        throw new SigstoreFormatException(field + " " + url + ": " + e.getMessage());
      }
      byte[] logId = bytes(object(log, "logId"), "keyId");
      out.add(
          new TransparencyLog(
              url == null ? "" : url,
              logId,
              der,
              publicKey,
              details,
              validity(key, field + " " + url)));
    }
    return out;
  }

  // PKCS1_* keys (the staging CT log of 2021) are a bare PKCS#1 RSAPublicKey, not an SPKI
  private static byte[] spki(byte[] der, String keyDetails) throws IOException {
    if (keyDetails == null || !keyDetails.startsWith("PKCS1_RSA")) {
      return der;
    }
    return new SubjectPublicKeyInfo(
            new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE), der)
        .getEncoded();
  }

  private static List<CertificateAuthority> authorities(JsonNode root, String field) {
    List<CertificateAuthority> out = new ArrayList<>();
    for (JsonNode ca : array(root, field)) {
      String uri = optionalText(ca, "uri");
      List<X509Certificate> chain = new ArrayList<>();
      for (JsonNode cert : array(object(ca, "certChain"), "certificates")) {
        chain.add(SigstoreJson.certificate(cert, field + " " + uri));
      }
      out.add(
          new CertificateAuthority(uri == null ? "" : uri, chain, validity(ca, field + " " + uri)));
    }
    return out;
  }

  private static Validity validity(JsonNode node, String where) {
    JsonNode v = node.get("validFor");
    if (v == null || !v.isObject() || v.get("start") == null) {
      throw new SigstoreFormatException(where + " has no validFor.start");
    }
    return new Validity(time(v, "start"), v.hasNonNull("end") ? time(v, "end") : null);
  }

  static Iterable<JsonNode> array(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new SigstoreFormatException(field + " is not an array");
    }
    return n;
  }

  private static byte[] digest(byte[] json) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(json);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
