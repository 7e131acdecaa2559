package io.portcullis.core.notation;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The OCI image manifest that stores a Notary Project signature in a registry, per <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#storage">signature
 * storage</a> with OCI 1.1 artifacts: {@code artifactType} {@value #ARTIFACT_TYPE}, the empty
 * config, one layer holding the envelope, a {@code subject}, and the {@value #THUMBPRINTS}
 * annotation listing the SHA-256 thumbprints of the envelope's certificate chain.
 *
 * @param bytes the exact manifest bytes, over which {@code digest} is computed
 * @param thumbprints lowercase hex SHA-256 thumbprints, leaf first
 */
public record SignatureManifest(
    ImageManifest manifest, byte[] bytes, Digest digest, List<String> thumbprints) {

  public static final String ARTIFACT_TYPE = "application/vnd.cncf.notary.signature";
  public static final String THUMBPRINTS = "io.cncf.notary.x509chain.thumbprint#S256";

  /** The content of the empty config blob, {@code {}}, which a pusher must upload too. */
  public static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.US_ASCII);

  private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");

  public SignatureManifest {
    thumbprints = List.copyOf(thumbprints);
  }

  /** The layer descriptor of the envelope blob. */
  public Descriptor envelope() {
    return manifest.layers().get(0);
  }

  /** The signed artifact. */
  public Descriptor subject() {
    return manifest.subject();
  }

  /** The envelope format named by the layer's media type. */
  public EnvelopeFormat envelopeFormat() {
    return EnvelopeFormat.fromMediaType(envelope().mediaType()).orElseThrow();
  }

  /**
   * True when one of {@code trusted} appears in this signature's chain, by thumbprint: the <a
   * href="https://github.com/notaryproject/specifications/blob/main/specs/signing-and-verification-workflow.md#verification-steps">workflow</a>
   * uses it to skip signatures no trust store could accept before downloading them.
   */
  public boolean mentionsAny(Collection<X509Certificate> trusted) {
    return trusted.stream().map(SignatureManifest::thumbprint).anyMatch(thumbprints::contains);
  }

  /** Builds the manifest for {@code envelope} (of {@code format}) signing {@code subject}. */
  public static SignatureManifest create(
      Descriptor subject, EnvelopeFormat format, byte[] envelope, List<X509Certificate> chain) {
    List<String> prints = chain.stream().map(SignatureManifest::thumbprint).toList();
    String annotation;
    try {
      annotation = ManifestCodec.mapper().writeValueAsString(prints);
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode thumbprints", e);
    }
    Descriptor subjectRef =
        Descriptor.of(subject.mediaType(), subject.parsedDigest(), subject.size());
    ImageManifest manifest =
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            ARTIFACT_TYPE,
            Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(EMPTY_CONFIG), EMPTY_CONFIG.length),
            List.of(Descriptor.of(format.mediaType(), Digest.sha256(envelope), envelope.length)),
            subjectRef,
            Map.of(THUMBPRINTS, annotation));
    byte[] bytes = ManifestCodec.write(manifest);
    return new SignatureManifest(manifest, bytes, Digest.sha256(bytes), prints);
  }

  /**
   * Parses and checks a signature manifest from its exact bytes; throws {@link EnvelopeException}
   * naming the first rule it breaks. The older form with config media type {@value #ARTIFACT_TYPE}
   * and no {@code artifactType} is accepted too, as Notation still reads it.
   */
  public static SignatureManifest parse(byte[] bytes) {
    ImageManifest manifest;
    try {
      manifest = ManifestCodec.readManifest(bytes);
    } catch (IllegalArgumentException e) {
      throw new EnvelopeException("signature manifest: " + e.getMessage());
    }
    if (!MediaTypes.OCI_MANIFEST.equals(manifest.mediaType())) {
      throw new EnvelopeException("signature manifest must be " + MediaTypes.OCI_MANIFEST);
    }
    boolean typed = ARTIFACT_TYPE.equals(manifest.artifactType());
    boolean legacy =
        manifest.artifactType() == null
            && manifest.config() != null
            && ARTIFACT_TYPE.equals(manifest.config().mediaType());
    if (!typed && !legacy) {
      throw new EnvelopeException("manifest is not a Notary signature (artifactType)");
    }
    if (manifest.layers().size() != 1
        || EnvelopeFormat.fromMediaType(manifest.layers().get(0).mediaType()).isEmpty()) {
      throw new EnvelopeException(
          "signature manifest must have exactly one application/jose+json or application/cose layer");
    }
    if (manifest.subject() == null) {
      throw new EnvelopeException("signature manifest lacks a subject");
    }
    String annotation = manifest.annotations().get(THUMBPRINTS);
    if (annotation == null) {
      throw new EnvelopeException("signature manifest lacks annotation " + THUMBPRINTS);
    }
    List<String> prints = new ArrayList<>();
    try {
      JsonNode array = StrictJson.readTree(annotation);
      if (!array.isArray() || array.isEmpty()) {
        throw new EnvelopeException(THUMBPRINTS + " must be a non-empty JSON array");
      }
      for (JsonNode node : array) {
        if (!node.isTextual() || !HEX64.matcher(node.asText()).matches()) {
          throw new EnvelopeException(THUMBPRINTS + " must hold SHA-256 hex strings");
        }
        prints.add(node.asText().toLowerCase(Locale.ROOT));
      }
    } catch (StrictJson.InvalidJsonException e) {
      throw new EnvelopeException(THUMBPRINTS + " is not valid JSON: " + e.getMessage());
    }
    return new SignatureManifest(manifest, bytes.clone(), Digest.sha256(bytes), prints);
  }

  /** The lowercase hex SHA-256 of the certificate's DER encoding. */
  public static String thumbprint(X509Certificate cert) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
      throw new IllegalStateException("cannot fingerprint certificate", e);
    }
  }
}
