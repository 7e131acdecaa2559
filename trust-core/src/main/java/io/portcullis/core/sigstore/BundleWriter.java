package io.portcullis.core.sigstore;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.DsseSignature;
import io.portcullis.core.json.StrictJson;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;

/**
 * Writes a {@link SigstoreBundle} as the protobuf-JSON of the <a
 * href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto">bundle
 * message</a>, the form {@link SigstoreBundle#parse} reads back: bytes in standard base64, 64-bit
 * integers as decimal strings, empty fields left out. A v0.3 bundle carries its leaf as {@code
 * certificate}; v0.1 and v0.2 carry {@code x509CertificateChain}, as those versions required.
 */
public final class BundleWriter {
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private BundleWriter() {}

  /** The bundle's JSON bytes. */
  public static byte[] write(SigstoreBundle bundle) {
    ObjectNode root = JSON.objectNode();
    root.put("mediaType", bundle.mediaType());
    ObjectNode material = root.putObject("verificationMaterial");
    List<X509Certificate> certs = bundle.certificates();
    if (certs.isEmpty()) {
      ObjectNode key = material.putObject("publicKey");
      bundle.publicKeyHint().filter(h -> !h.isEmpty()).ifPresent(h -> key.put("hint", h));
    } else if (bundle.version().equals("0.3")) {
      material.set("certificate", certificate(certs.get(0)));
    } else {
      ArrayNode chain = material.putObject("x509CertificateChain").putArray("certificates");
      certs.forEach(c -> chain.add(certificate(c)));
    }
    ArrayNode entries = material.putArray("tlogEntries");
    bundle.tlogEntries().forEach(e -> entries.add(tlogEntry(e)));
    if (!bundle.rfc3161Timestamps().isEmpty()) {
      ArrayNode ts = material.putObject("timestampVerificationData").putArray("rfc3161Timestamps");
      bundle
          .rfc3161Timestamps()
          .forEach(t -> ts.addObject().put("signedTimestamp", B64.encodeToString(t)));
    }
    bundle.messageSignature().ifPresent(m -> root.set("messageSignature", messageSignature(m)));
    bundle.dsseEnvelope().ifPresent(d -> root.set("dsseEnvelope", dsse(d)));
    return StrictJson.write(root);
  }

  private static ObjectNode certificate(X509Certificate cert) {
    try {
      return JSON.objectNode().put("rawBytes", B64.encodeToString(cert.getEncoded()));
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded: " + e.getMessage(), e);
    }
  }

  private static ObjectNode tlogEntry(TlogEntry e) {
    ObjectNode n = JSON.objectNode();
    n.put("logIndex", Long.toString(e.logIndex()));
    n.putObject("logId").put("keyId", B64.encodeToString(e.logId()));
    n.putObject("kindVersion").put("kind", e.kind()).put("version", e.version());
    n.put("integratedTime", Long.toString(e.integratedTime()));
    e.signedEntryTimestamp()
        .ifPresent(set -> n.putObject("inclusionPromise").put("signedEntryTimestamp", encode(set)));
    e.inclusionProof()
        .ifPresent(
            p -> {
              ObjectNode proof = n.putObject("inclusionProof");
              proof.put("logIndex", Long.toString(p.logIndex()));
              proof.put("rootHash", encode(p.rootHash()));
              proof.put("treeSize", Long.toString(p.treeSize()));
              ArrayNode hashes = proof.putArray("hashes");
              p.hashes().forEach(h -> hashes.add(encode(h)));
              proof.putObject("checkpoint").put("envelope", p.checkpoint());
            });
    n.put("canonicalizedBody", encode(e.canonicalizedBody()));
    return n;
  }

  private static ObjectNode messageSignature(MessageSignature m) {
    ObjectNode n = JSON.objectNode();
    m.digest()
        .ifPresent(
            d ->
                n.putObject("messageDigest")
                    .put("algorithm", m.digestAlgorithm().orElse("SHA2_256"))
                    .put("digest", encode(d)));
    n.put("signature", encode(m.signature()));
    return n;
  }

  private static ObjectNode dsse(DsseEnvelope envelope) {
    ObjectNode n = JSON.objectNode();
    n.put("payload", encode(envelope.payload()));
    n.put("payloadType", envelope.payloadType());
    ArrayNode sigs = n.putArray("signatures");
    for (DsseSignature s : envelope.signatures()) {
      ObjectNode sig = sigs.addObject().put("sig", encode(s.sig()));
      if (!s.keyid().isEmpty()) {
        sig.put("keyid", s.keyid());
      }
    }
    return n;
  }

  private static String encode(byte[] bytes) {
    return B64.encodeToString(bytes);
  }
}
