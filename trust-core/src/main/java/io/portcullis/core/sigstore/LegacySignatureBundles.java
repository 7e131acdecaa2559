package io.portcullis.core.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.cosign.RekorBundle;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.oci.Digest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Turns a legacy cosign {@code sha256-<hex>.sig} layer that carries a certificate (a keyless
 * signature: {@code dev.sigstore.cosign/certificate}, {@code /chain}, {@code /bundle} with the
 * Rekor SET, {@code /rfc3161timestamp}) into the equivalent Sigstore bundle, so that it is verified
 * by {@link BundleVerifier} with every keyless rule (chain to a Fulcio CA of the trusted root valid
 * at the logged time, SCTs, the log entry matching the signature, identities) and never by a
 * second, weaker path. The bundle is a v0.1 bundle, whose tlog entries need a promise (SET) and no
 * proof, as cosign's legacy format gives them; its {@code messageSignature} is over the layer's
 * bytes (the simple-signing payload), which is what the signature annotation signs.
 */
public final class LegacySignatureBundles {
  /** JSON {@code {"SignedRFC3161Timestamp": base64}}: a timestamp over the signature. */
  public static final String RFC3161_TIMESTAMP = "dev.sigstore.cosign/rfc3161timestamp";

  private static final String V01 = "application/vnd.dev.sigstore.bundle+json;version=0.1";

  private LegacySignatureBundles() {}

  /** Whether {@code layer} carries a signing certificate, so is verified as a keyless signature. */
  public static boolean carriesCertificate(AttachmentLayer layer) {
    return layer.annotation(CosignAnnotations.CERTIFICATE).filter(c -> !c.isBlank()).isPresent();
  }

  /**
   * The bundle equivalent to {@code layer}, to be verified over {@code Artifact.ofContent(payload)}
   * with the payload's claimed image then checked by the caller.
   *
   * @throws SigstoreFormatException when an annotation is malformed, naming it
   */
  public static SigstoreBundle toBundle(AttachmentLayer layer) {
    byte[] payload = layer.content();
    if (!Digest.sha256(payload).toString().equals(layer.descriptor().digest())) {
      throw new SigstoreFormatException("layer bytes do not match " + layer.descriptor().digest());
    }
    String encoded =
        layer
            .annotation(CosignAnnotations.SIGNATURE)
            .orElseThrow(
                () ->
                    new SigstoreFormatException(
                        "no " + CosignAnnotations.SIGNATURE + " annotation"));
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new SigstoreFormatException(CosignAnnotations.SIGNATURE + " is not base64");
    }
    List<X509Certificate> certificates = new ArrayList<>();
    certificates.addAll(certificates(layer, CosignAnnotations.CERTIFICATE));
    if (certificates.size() != 1) {
      throw new SigstoreFormatException(
          CosignAnnotations.CERTIFICATE + " must hold exactly one certificate");
    }
    certificates.addAll(certificates(layer, CosignAnnotations.CHAIN));
    List<TlogEntry> entries = new ArrayList<>();
    Optional<String> rekor = layer.annotation(CosignAnnotations.BUNDLE);
    if (rekor.isPresent()) {
      entries.add(tlogEntry(rekor.get()));
    }
    List<byte[]> timestamps = new ArrayList<>();
    layer.annotation(RFC3161_TIMESTAMP).ifPresent(t -> timestamps.add(timestamp(t)));
    MessageSignature message =
        new MessageSignature(
            Optional.of("SHA2_256"),
            Optional.of(HexFormat.of().parseHex(Digest.sha256(payload).hex())),
            signature);
    return new SigstoreBundle(
        V01,
        certificates,
        Optional.empty(),
        entries,
        timestamps,
        Optional.of(message),
        Optional.empty());
  }

  private static List<X509Certificate> certificates(AttachmentLayer layer, String annotation) {
    Optional<String> pem = layer.annotation(annotation).filter(p -> !p.isBlank());
    if (pem.isEmpty()) {
      return List.of();
    }
    try {
      return CertificatePem.parseAll(pem.get());
    } catch (RuntimeException e) {
      throw new SigstoreFormatException(annotation + ": " + e.getMessage());
    }
  }

  /** The Rekor entry of the {@code /bundle} annotation, as a bundle's tlog entry with its SET. */
  private static TlogEntry tlogEntry(String json) {
    RekorBundle rekor;
    try {
      rekor = RekorBundle.parse(json);
    } catch (InvalidPayloadException e) {
      throw new SigstoreFormatException(CosignAnnotations.BUNDLE + ": " + e.getMessage());
    }
    byte[] body;
    byte[] logId;
    try {
      body = Base64.getDecoder().decode(rekor.body());
      logId = HexFormat.of().parseHex(rekor.logId());
    } catch (IllegalArgumentException e) {
      throw new SigstoreFormatException(
          CosignAnnotations.BUNDLE + ": body is not base64 or logID is not hex");
    }
    JsonNode entry;
    try {
      entry = StrictJson.readObject(body);
    } catch (StrictJson.InvalidJsonException e) {
      throw new SigstoreFormatException(
          CosignAnnotations.BUNDLE + ": entry body is not JSON: " + e.getMessage());
    }
    String kind = entry.path("kind").asText("");
    String version = entry.path("apiVersion").asText("");
    if (kind.isEmpty() || version.isEmpty()) {
      throw new SigstoreFormatException(
          CosignAnnotations.BUNDLE + ": entry body names no kind and apiVersion");
    }
    return new TlogEntry(
        rekor.logIndex(),
        logId,
        kind,
        version,
        rekor.integratedTime(),
        body,
        Optional.of(rekor.signedEntryTimestamp()),
        Optional.empty());
  }

  private static byte[] timestamp(String json) {
    try {
      JsonNode node = StrictJson.readTree(json);
      JsonNode value = node.get("SignedRFC3161Timestamp");
      if (value == null || !value.isTextual()) {
        throw new SigstoreFormatException(RFC3161_TIMESTAMP + " has no SignedRFC3161Timestamp");
      }
      return Base64.getDecoder().decode(value.asText());
    } catch (SigstoreFormatException e) {
      throw e;
    } catch (IllegalArgumentException e) { // not JSON, or not base64
      throw new SigstoreFormatException(RFC3161_TIMESTAMP + " is not valid: " + e.getMessage());
    }
  }
}
