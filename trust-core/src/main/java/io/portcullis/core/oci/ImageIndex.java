package io.portcullis.core.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * An image index or Docker manifest list (<a
 * href="https://github.com/opencontainers/image-spec/blob/main/image-index.md">image index
 * spec</a>). Also the body of a referrers response and of a referrers-tag-schema fallback tag.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageIndex(
    int schemaVersion,
    String mediaType,
    String artifactType,
    // Required by the image-spec even when empty (an empty referrers list is "manifests": []).
    @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> manifests,
    Descriptor subject,
    Map<String, String> annotations) {

  public ImageIndex {
    manifests = manifests == null ? List.of() : List.copyOf(manifests);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }

  /**
   * The entries that are images: all but those without a real platform (buildx's {@code
   * unknown/unknown} attestation manifests).
   */
  public List<Descriptor> images() {
    return manifests.stream()
        .filter(d -> d.platform() == null || !"unknown".equals(d.platform().os()))
        .toList();
  }

  /** An empty OCI index, the answer for "no referrers". */
  public static ImageIndex empty() {
    return new ImageIndex(2, MediaTypes.OCI_INDEX, null, List.of(), null, null);
  }
}
