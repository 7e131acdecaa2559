package io.portcullis.core.policy;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageManifest;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * The config blob of one image, as fetched: for an index, one per platform child.
 *
 * @param platform {@code os/arch[/variant]} of the index entry, e.g. {@code linux/amd64}; empty for
 *     a single-platform image
 * @param configJson the config blob's exact bytes
 */
public record ImageConfigEvidence(String platform, byte[] configJson) {
  /**
   * The most bytes of a config the gateway and the CLI fetch: configs are small JSON; anything
   * bigger is not one.
   */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  /**
   * The most platform images of an index whose configs the gateway and the CLI vet: each costs a
   * manifest and a config fetch, and every one must pass, so a longer index is refused as "could
   * not verify" rather than vetted in part.
   */
  public static final int MAX_PLATFORMS = 64;

  public ImageConfigEvidence {
    Objects.requireNonNull(platform, "platform");
    configJson = configJson.clone();
  }

  @Override
  public byte[] configJson() {
    return configJson.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ImageConfigEvidence e
        && e.platform.equals(platform)
        && Arrays.equals(e.configJson, configJson);
  }

  @Override
  public int hashCode() {
    return platform.hashCode() * 31 + Arrays.hashCode(configJson);
  }

  @Override
  public String toString() {
    // the config may hold secrets in its environment; never print it
    return "ImageConfigEvidence[platform=" + platform + ", " + configJson.length + " bytes]";
  }

  /**
   * Why the config of {@code manifest} cannot be fetched for vetting, in words for a decision
   * message, or empty when its descriptor is within the limits. {@code platform} names the child of
   * an index ({@code linux/arm64}), or is empty for a single image.
   */
  public static Optional<String> configProblem(String platform, ImageManifest manifest) {
    String where = platform.isEmpty() ? "" : platform + ": ";
    Descriptor config = manifest.config();
    if (config == null) {
      return Optional.of(where + "the manifest has no config");
    }
    if (config.size() > MAX_BYTES || config.size() < 0) {
      return Optional.of(
          where
              + "image config "
              + config.digest()
              + " is "
              + config.size()
              + " bytes, over the "
              + MAX_BYTES / (1024 * 1024)
              + " MiB limit for configs");
    }
    return Optional.empty();
  }
}
