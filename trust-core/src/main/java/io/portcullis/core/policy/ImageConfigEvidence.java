package io.portcullis.core.policy;

import java.util.Arrays;
import java.util.Objects;

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
}
