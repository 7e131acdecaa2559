package io.portcullis.core.cosign;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A cosign attachment manifest as pushed to a registry: the image at tag {@code sha256-<hex>.sig}
 * (signatures) or {@code .att} (attestations), per the <a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md#storage">cosign
 * signature spec, storage</a>.
 *
 * <p>cosign builds it with go-containerregistry on an empty image, so the OCI config blob is that
 * library's serialisation of a config with one zero-time history entry and one {@code diff_id} per
 * layer (for these uncompressed layers the diff id is the layer digest), {@code "config":{}} and a
 * {@code created} time. This class writes the same, in the same field order.
 *
 * <p>Adding signatures always appends to the existing layers; earlier signatures are never dropped.
 * Only {@link #newLayers()} need uploading: the others are already in the registry.
 */
public record AttachmentManifest(
    byte[] manifest,
    Digest digest,
    byte[] config,
    Digest configDigest,
    List<AttachmentLayer> newLayers) {

  public static final String SIGNATURE_SUFFIX = ".sig";
  public static final String ATTESTATION_SUFFIX = ".att";

  private static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  public AttachmentManifest {
    manifest = manifest.clone();
    config = config.clone();
    newLayers = List.copyOf(newLayers);
  }

  @Override
  public byte[] manifest() {
    return manifest.clone();
  }

  @Override
  public byte[] config() {
    return config.clone();
  }

  /**
   * The tag cosign stores attachments of {@code subject} under, e.g. {@code sha256-ab...cd.sig}.
   */
  public static String tag(Digest subject, String suffix) {
    return subject.referrersTag() + suffix;
  }

  /** A first attachment manifest holding {@code layers}. */
  public static AttachmentManifest create(List<AttachmentLayer> layers, Instant created) {
    return append(null, layers, created);
  }

  /**
   * {@code existing}'s layers followed by {@code added}. {@code existing} may be null when nothing
   * is attached yet; its media types are kept, as go-containerregistry's append keeps them.
   */
  public static AttachmentManifest append(
      ImageManifest existing, List<AttachmentLayer> added, Instant created) {
    List<Descriptor> layers = new ArrayList<>(existing == null ? List.of() : existing.layers());
    added.forEach(layer -> layers.add(layer.descriptor()));
    if (layers.isEmpty()) {
      throw new IllegalArgumentException("an attachment manifest needs at least one layer");
    }
    String manifestType =
        existing == null || existing.mediaType() == null
            ? MediaTypes.OCI_MANIFEST
            : existing.mediaType();
    String configType =
        existing == null || existing.config() == null
            ? MediaTypes.OCI_CONFIG
            : existing.config().mediaType();
    byte[] config = configBlob(layers, created);
    Digest configDigest = Digest.sha256(config);
    ImageManifest manifest =
        new ImageManifest(
            2,
            manifestType,
            null,
            Descriptor.of(configType, configDigest, config.length),
            layers,
            null,
            existing == null ? null : existing.annotations());
    byte[] bytes = ManifestCodec.write(manifest);
    return new AttachmentManifest(bytes, Digest.sha256(bytes), config, configDigest, added);
  }

  /** The manifest as a model, read back from {@link #manifest()}. */
  public ImageManifest parsed() {
    return ManifestCodec.readManifest(manifest);
  }

  private static byte[] configBlob(List<Descriptor> layers, Instant created) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("architecture", "");
    root.put("created", created.truncatedTo(ChronoUnit.SECONDS).toString());
    ArrayNode history = root.putArray("history");
    root.put("os", "");
    ObjectNode rootfs = root.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    for (Descriptor layer : layers) {
      history.addObject().put("created", ZERO_TIME);
      diffIds.add(layer.digest());
    }
    root.putObject("config");
    return StrictJson.write(root);
  }
}
