package io.portcullis.gateway.enforce;

import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.sigstore.SigstoreBundle;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The trust artifacts of an image and how to tell them from content. By tag: cosign's {@code
 * sha256-<hex>.sig/.att/.sbom} and the referrers fallback tag {@code sha256-<hex>}, whose subject
 * is {@code sha256:<hex>}. Their layers are served only when typed as trust data (simple signing,
 * DSSE, JWS, COSE, Sigstore bundle, the OCI empty descriptor), declared at most {@link
 * #MAX_LAYER_SIZE}, and their bytes parse as that type: the media type is the uploader's claim, so
 * it is checked against the bytes, and a tar layer typed as a signature never passes.
 */
final class SignatureArtifacts {
  /** The largest trust-artifact layer served (as the signature budgets of trust-core). */
  static final int MAX_LAYER_SIZE = 1024 * 1024;

  private static final Pattern TAG =
      Pattern.compile("sha256-([a-f0-9]{64})(\\.sig|\\.att|\\.sbom)?");
  private static final String SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle";
  private static final Set<String> LAYER_TYPES =
      Set.of(
          SimpleSigningPayload.MEDIA_TYPE,
          DsseEnvelope.MEDIA_TYPE,
          EnvelopeFormat.JWS.mediaType(),
          EnvelopeFormat.COSE.mediaType(),
          MediaTypes.OCI_EMPTY);
  private static final byte[] EMPTY_JSON = {'{', '}'};

  private SignatureArtifacts() {}

  /** The subject of a trust-artifact tag, or empty for any other tag. */
  static Optional<Digest> subjectOfTag(String tag) {
    Matcher m = TAG.matcher(tag);
    return m.matches() ? Optional.of(Digest.parse("sha256:" + m.group(1))) : Optional.empty();
  }

  /**
   * The {@code subject} an image manifest or index names, if any: read once as an image (the common
   * case), as an index when that fails or the media type says so.
   */
  static Optional<Digest> subjectOf(byte[] manifest, String mediaType) {
    try {
      Descriptor subject;
      if (MediaTypes.isIndex(mediaType)) {
        subject = ManifestCodec.readIndex(manifest).subject();
      } else {
        try {
          subject = ManifestCodec.readManifest(manifest).subject();
        } catch (IllegalArgumentException notAnImage) {
          subject = ManifestCodec.readIndex(manifest).subject();
        }
      }
      return subject == null ? Optional.empty() : Optional.of(subject.parsedDigest());
    } catch (IllegalArgumentException unreadable) {
      return Optional.empty();
    }
  }

  /** True for a layer that may be served as trust data of an approved subject. */
  static boolean isTrustLayer(Descriptor layer) {
    String type = layer.mediaType();
    return type != null
        && (LAYER_TYPES.contains(type) || type.startsWith(SIGSTORE_BUNDLE))
        && layer.size() >= 0
        && layer.size() <= MAX_LAYER_SIZE;
  }

  /**
   * Null when {@code bytes} are a document of {@code mediaType}, otherwise why not: the check that
   * keeps content typed as a signature from being served as one.
   */
  static String notOfType(String mediaType, byte[] bytes) {
    try {
      if (mediaType.equals(SimpleSigningPayload.MEDIA_TYPE)) {
        SimpleSigningPayload.parse(bytes);
      } else if (mediaType.equals(DsseEnvelope.MEDIA_TYPE)) {
        DsseEnvelope.parse(bytes);
      } else if (mediaType.equals(MediaTypes.OCI_EMPTY)) {
        if (!Arrays.equals(bytes, EMPTY_JSON)) {
          return "an OCI empty descriptor's blob is {}";
        }
      } else if (mediaType.startsWith(SIGSTORE_BUNDLE)) {
        return sigstoreBundle(bytes);
      } else {
        Optional<EnvelopeFormat> format = EnvelopeFormat.fromMediaType(mediaType);
        if (format.isEmpty()) {
          return "not a trust data media type";
        }
        format.get().parse(bytes);
      }
      return null;
    } catch (RuntimeException e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }

  /**
   * A Sigstore bundle parses as one, with trust-core's bundle parser (every version, verification
   * material, content); whether it verifies is the policy's concern, as for any trust artifact.
   */
  private static String sigstoreBundle(byte[] bytes) {
    SigstoreBundle.parse(bytes);
    return null;
  }
}
