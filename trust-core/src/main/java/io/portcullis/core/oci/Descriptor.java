package io.portcullis.core.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * An OCI content descriptor (<a
 * href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md">image-spec
 * descriptor</a>). Unknown fields are ignored on read; absent optional fields are omitted on write.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Descriptor(
    String mediaType,
    String digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    String artifactType,
    Platform platform) {

  public Descriptor {
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    urls = urls == null ? List.of() : List.copyOf(urls);
  }

  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest.toString(), size, null, null, null, null);
  }

  public Descriptor withAnnotations(Map<String, String> newAnnotations) {
    return new Descriptor(mediaType, digest, size, urls, newAnnotations, artifactType, platform);
  }

  public Descriptor withArtifactType(String newArtifactType) {
    return new Descriptor(mediaType, digest, size, urls, annotations, newArtifactType, platform);
  }

  /** The parsed digest; throws {@link InvalidReferenceException} when it is malformed. */
  public Digest parsedDigest() {
    return Digest.parse(digest);
  }

  /** A platform of an index entry. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Platform(String architecture, String os, String variant) {

    /**
     * {@code os/arch[/variant]}, as messages name a platform; {@code unknown platform} for null.
     */
    public static String describe(Platform platform) {
      if (platform == null) {
        return "unknown platform";
      }
      String v =
          platform.variant() == null || platform.variant().isEmpty()
              ? ""
              : "/" + platform.variant();
      return platform.os() + "/" + platform.architecture() + v;
    }
  }
}
