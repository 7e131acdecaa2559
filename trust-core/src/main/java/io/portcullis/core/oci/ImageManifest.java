package io.portcullis.core.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * An image manifest (OCI {@code application/vnd.oci.image.manifest.v1+json} or Docker v2 schema 2),
 * per the <a href="https://github.com/opencontainers/image-spec/blob/main/manifest.md">image
 * manifest spec</a>. Use {@link ManifestCodec} to read it from exact bytes; digests are always
 * taken over those bytes, never over a re-serialisation.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ImageManifest(
    int schemaVersion,
    String mediaType,
    String artifactType,
    Descriptor config,
    List<Descriptor> layers,
    Descriptor subject,
    Map<String, String> annotations) {

  public ImageManifest {
    layers = layers == null ? List.of() : List.copyOf(layers);
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }
}
