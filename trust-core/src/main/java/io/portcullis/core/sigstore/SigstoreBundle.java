package io.portcullis.core.sigstore;

import static io.portcullis.core.sigstore.SigstoreJson.bytes;
import static io.portcullis.core.sigstore.SigstoreJson.int64;
import static io.portcullis.core.sigstore.SigstoreJson.object;
import static io.portcullis.core.sigstore.SigstoreJson.optionalText;
import static io.portcullis.core.sigstore.SigstoreJson.text;
import static io.portcullis.core.sigstore.TrustedRoot.array;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.json.StrictJson;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A <a
 * href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto">Sigstore
 * bundle</a>: a signature ({@code messageSignature} or {@code dsseEnvelope}), the material to
 * verify it (a certificate, a chain, or a public key hint) and the evidence of when it was made
 * (transparency log entries, RFC 3161 timestamps). Parsing checks shape only; nothing here is
 * trusted until {@code BundleVerifier} has verified it.
 *
 * @param mediaType one of {@link #MEDIA_TYPES}
 * @param certificates the signing certificate first, then any chain the bundle carries (v0.1 and
 *     v0.2 carry {@code x509CertificateChain}); empty for a key-based bundle
 * @param publicKeyHint the {@code publicKey.hint} of a key-based bundle (may be empty)
 * @param tlogEntries the transparency log entries, in bundle order
 * @param rfc3161Timestamps DER {@code TimeStampResponse}/{@code TimeStampToken} bytes
 * @param messageSignature set when the content is a message signature
 * @param dsseEnvelope set when the content is a DSSE envelope
 */
public record SigstoreBundle(
    String mediaType,
    List<X509Certificate> certificates,
    Optional<String> publicKeyHint,
    List<TlogEntry> tlogEntries,
    List<byte[]> rfc3161Timestamps,
    Optional<MessageSignature> messageSignature,
    Optional<DsseEnvelope> dsseEnvelope) {

  /** {@code application/vnd.dev.sigstore.bundle.v0.3+json}: what cosign v3 writes. */
  public static final String MEDIA_TYPE_V03 = "application/vnd.dev.sigstore.bundle.v0.3+json";

  /** Every bundle media type read. */
  public static final Set<String> MEDIA_TYPES =
      Set.of(
          "application/vnd.dev.sigstore.bundle+json;version=0.1",
          "application/vnd.dev.sigstore.bundle+json;version=0.2",
          "application/vnd.dev.sigstore.bundle+json;version=0.3",
          MEDIA_TYPE_V03);

  /** The largest bundle read; a bundle with an SBOM attestation fits. */
  public static final int MAX_BYTES = 16 * 1024 * 1024;

  /**
   * Most certificates, log entries or timestamps read from one bundle (real ones hold one to
   * three): the byte cap alone would let a bundle carry tens of thousands to decode.
   */
  public static final int MAX_LIST = 32;

  /** Most inclusion-proof hashes: a tree of 2^64 leaves needs no more. */
  public static final int MAX_PROOF_HASHES = 64;

  public SigstoreBundle {
    certificates = List.copyOf(certificates);
    tlogEntries = List.copyOf(tlogEntries);
    rfc3161Timestamps = rfc3161Timestamps.stream().map(byte[]::clone).toList();
    if (messageSignature.isPresent() == dsseEnvelope.isPresent()) {
      throw new SigstoreFormatException(
          "bundle must hold exactly one of messageSignature and dsseEnvelope");
    }
  }

  /** Whether the bundle is verified with a public key rather than a certificate. */
  public boolean keyBased() {
    return certificates.isEmpty();
  }

  /** The bundle version, {@code 0.1}, {@code 0.2} or {@code 0.3}. */
  public String version() {
    return mediaType.equals(MEDIA_TYPE_V03) ? "0.3" : mediaType.substring(mediaType.length() - 3);
  }

  /** Whether {@code mediaType} names a Sigstore bundle this class reads. */
  public static boolean isBundleMediaType(String mediaType) {
    return mediaType != null && MEDIA_TYPES.contains(mediaType);
  }

  /** Parses a bundle's JSON; anything malformed is refused with the field it concerns. */
  public static SigstoreBundle parse(byte[] json) {
    if (json.length > MAX_BYTES) {
      throw new SigstoreFormatException("bundle is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try {
      root = StrictJson.readObject(json);
    } catch (StrictJson.InvalidJsonException e) {
      throw new SigstoreFormatException("bundle is not valid JSON: " + e.getMessage());
    }
    String mediaType = text(root, "mediaType");
    if (!MEDIA_TYPES.contains(mediaType)) {
      throw new SigstoreFormatException("unsupported bundle mediaType " + mediaType);
    }
    JsonNode material = object(root, "verificationMaterial");
    List<X509Certificate> certificates = new ArrayList<>();
    Optional<String> hint = Optional.empty();
    int kinds = 0;
    for (String kind : new String[] {"certificate", "x509CertificateChain", "publicKey"}) {
      kinds += material.hasNonNull(kind) ? 1 : 0;
    }
    // Checked before any certificate is decoded: an ambiguous bundle is refused as such.
    if (kinds != 1) {
      throw new SigstoreFormatException(
          "verificationMaterial must hold exactly one of certificate, x509CertificateChain and"
              + " publicKey");
    }
    if (material.hasNonNull("certificate")) {
      certificates.add(SigstoreJson.certificate(object(material, "certificate"), "certificate"));
    }
    if (material.hasNonNull("x509CertificateChain")) {
      for (JsonNode c :
          capped(array(object(material, "x509CertificateChain"), "certificates"), "certificates")) {
        certificates.add(SigstoreJson.certificate(c, "x509CertificateChain"));
      }
      if (certificates.isEmpty()) {
        throw new SigstoreFormatException("x509CertificateChain has no certificates");
      }
    }
    if (material.hasNonNull("publicKey")) {
      String h = optionalText(object(material, "publicKey"), "hint");
      hint = Optional.of(h == null ? "" : h);
    }
    List<TlogEntry> entries = new ArrayList<>();
    for (JsonNode e : capped(array(material, "tlogEntries"), "tlogEntries")) {
      entries.add(tlogEntry(e));
    }
    List<byte[]> timestamps = new ArrayList<>();
    JsonNode tsData = material.get("timestampVerificationData");
    if (tsData != null && !tsData.isNull()) {
      for (JsonNode t : capped(array(tsData, "rfc3161Timestamps"), "rfc3161Timestamps")) {
        timestamps.add(bytes(t, "signedTimestamp"));
      }
    }
    Optional<MessageSignature> message = Optional.empty();
    Optional<DsseEnvelope> dsse = Optional.empty();
    if (root.hasNonNull("messageSignature")) {
      JsonNode ms = object(root, "messageSignature");
      JsonNode md = ms.get("messageDigest");
      Optional<String> alg = Optional.empty();
      Optional<byte[]> digest = Optional.empty();
      if (md != null && !md.isNull()) {
        alg = Optional.ofNullable(optionalText(md, "algorithm"));
        digest = Optional.of(bytes(md, "digest"));
      }
      message = Optional.of(new MessageSignature(alg, digest, bytes(ms, "signature")));
    }
    if (root.hasNonNull("dsseEnvelope")) {
      try {
        dsse = Optional.of(DsseEnvelope.parse(StrictJson.write(object(root, "dsseEnvelope"))));
      } catch (InvalidPayloadException | StrictJson.InvalidJsonException e) {
        throw new SigstoreFormatException("dsseEnvelope: " + e.getMessage());
      }
    }
    return new SigstoreBundle(mediaType, certificates, hint, entries, timestamps, message, dsse);
  }

  private static Iterable<JsonNode> capped(Iterable<JsonNode> list, String field) {
    if (list instanceof JsonNode n && n.size() > MAX_LIST) {
      throw new SigstoreFormatException(
          field + " has " + n.size() + " elements; at most " + MAX_LIST + " are read");
    }
    return list;
  }

  private static TlogEntry tlogEntry(JsonNode e) {
    JsonNode kv = object(e, "kindVersion");
    Optional<byte[]> set = Optional.empty();
    JsonNode promise = e.get("inclusionPromise");
    if (promise != null && !promise.isNull()) {
      set = Optional.of(bytes(promise, "signedEntryTimestamp"));
    }
    Optional<InclusionProof> proof = Optional.empty();
    JsonNode p = e.get("inclusionProof");
    if (p != null && !p.isNull()) {
      List<byte[]> hashes = new ArrayList<>();
      JsonNode hs = p.get("hashes");
      if (hs != null && !hs.isNull()) {
        if (!hs.isArray()) {
          throw new SigstoreFormatException("inclusionProof.hashes is not an array");
        }
        if (hs.size() > MAX_PROOF_HASHES) {
          throw new SigstoreFormatException(
              "inclusionProof has " + hs.size() + " hashes; at most " + MAX_PROOF_HASHES);
        }
        for (JsonNode h : hs) {
          if (!h.isTextual()) {
            throw new SigstoreFormatException("inclusionProof.hashes holds a non-string");
          }
          try {
            hashes.add(java.util.Base64.getDecoder().decode(h.asText()));
          } catch (IllegalArgumentException x) {
            throw new SigstoreFormatException("inclusionProof.hashes is not base64");
          }
        }
      }
      proof =
          Optional.of(
              new InclusionProof(
                  int64(p, "logIndex", 0),
                  bytes(p, "rootHash"),
                  int64(p, "treeSize", 0),
                  hashes,
                  text(object(p, "checkpoint"), "envelope")));
    }
    return new TlogEntry(
        int64(e, "logIndex", 0),
        bytes(object(e, "logId"), "keyId"),
        text(kv, "kind"),
        text(kv, "version"),
        int64(e, "integratedTime", 0),
        bytes(e, "canonicalizedBody"),
        set,
        proof);
  }
}
