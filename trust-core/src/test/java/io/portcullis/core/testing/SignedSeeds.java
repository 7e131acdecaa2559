package io.portcullis.core.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.portcullis.core.cosign.CosignSigner;
import io.portcullis.core.cosign.SigstoreJsonSignature;
import io.portcullis.core.keys.Signers;
import io.portcullis.core.notation.NotationSigner;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.x509.DevPki;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Real signed documents for the parser properties to mutate, made by this project's own signers at
 * test time, never copied from {@code shared/interop} (whose files may not enter the project): an
 * OCI image manifest, its cosign signature in containers/image's on-disk sigstore-json form, and
 * its Notation JWS envelope with an x5c chain and signed attributes. The COSE_Sign1 envelope is
 * made beside the CBOR test writer, in {@code notation.CoseSeed}.
 *
 * <p>Made once per test JVM. Every chosen value (times, names, digests, annotations, member order)
 * is fixed, so the documents have the same shape and length class on every run; only key material
 * and signature bytes differ. jqwik prints a failing sample in full, so a counterexample is kept as
 * a plain test from that.
 */
public final class SignedSeeds {
  /** The certificates start here and last ten years, so signing at a fixed time works forever. */
  public static final Instant NOT_BEFORE = Instant.parse("2024-01-01T00:00:00Z");

  public static final Instant SIGNING_TIME = Instant.parse("2024-06-01T12:00:00Z");
  public static final Instant EXPIRY = Instant.parse("2025-06-01T12:00:00Z");
  public static final String DOCKER_REFERENCE = "registry.test/team/app";

  /** Root, intermediate and a P-256 code-signing leaf; the leaf signs everything here. */
  public static final DevPki PKI =
      DevPki.generate(NOT_BEFORE, Duration.ofDays(3650), DevPki.SIGNER_SUBJECT);

  private static final byte[] IMAGE_MANIFEST = imageManifestBytes();

  /** The image manifest as a descriptor: what the signatures sign. */
  public static final Descriptor TARGET =
      Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(IMAGE_MANIFEST), IMAGE_MANIFEST.length);

  private static final byte[] SIGSTORE_JSON =
      SigstoreJsonSignature.fromLayer(
              new CosignSigner(Signers.forPrivateKey(PKI.signerKey()))
                  .sign(
                      DOCKER_REFERENCE,
                      TARGET.parsedDigest(),
                      new TreeMap<>(Map.of("build", "42", "team", "platform"))))
          .toBytes();

  private static final byte[] NOTATION_JWS =
      NotationSigner.create(PKI.signerKey(), PKI.signingChain()).sign(TARGET, SIGNING_TIME, EXPIRY);

  private SignedSeeds() {}

  /** An OCI image manifest with a config, two annotated layers and manifest annotations. */
  public static byte[] imageManifest() {
    return IMAGE_MANIFEST.clone();
  }

  /** A cosign signature of {@link #TARGET} as {@code skopeo copy ... dir:} stores it. */
  public static byte[] sigstoreJson() {
    return SIGSTORE_JSON.clone();
  }

  /** A Notation JWS envelope over {@link #TARGET}, with the full chain and an expiry. */
  public static byte[] notationJws() {
    return NOTATION_JWS.clone();
  }

  private static byte[] imageManifestBytes() {
    ImageManifest manifest =
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            null,
            blob(MediaTypes.OCI_CONFIG, "config", Map.of()),
            List.of(
                blob(
                    MediaTypes.OCI_LAYER_GZIP,
                    "base layer",
                    Map.of("org.opencontainers.image.title", "base.tar.gz")),
                blob(
                    MediaTypes.OCI_LAYER_GZIP,
                    "app layer",
                    Map.of("org.opencontainers.image.title", "app.tar.gz"))),
            null,
            Map.of(
                "org.opencontainers.image.created",
                SIGNING_TIME.toString(),
                "org.opencontainers.image.source",
                "https://example.test/team/app"));
    try {
      // The codec's own mapper; keys sorted because the model's maps have no stable order.
      return ManifestCodec.mapper()
          .writer()
          .with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .writeValueAsBytes(manifest);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Descriptor blob(
      String mediaType, String content, Map<String, String> annotations) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    return Descriptor.of(mediaType, Digest.sha256(bytes), bytes.length)
        .withAnnotations(annotations);
  }
}
