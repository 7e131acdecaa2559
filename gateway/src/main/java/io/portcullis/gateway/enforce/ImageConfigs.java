package io.portcullis.gateway.enforce;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.policy.ImageConfigEvidence;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.portcullis.gateway.upstream.UpstreamRoute;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Fetches the image config(s) the vetting rules read, from the manifest already fetched for the
 * decision: the config of a single image, or of every platform child of an <a
 * href="https://github.com/opencontainers/image-spec/blob/main/image-index.md">image index</a>, as
 * {@code portcullis-signer verify --policy} does, so both vet the same bytes and name platforms the
 * same way. Children without a real platform (buildx's {@code unknown/unknown} attestation
 * manifests) are not images and are skipped.
 *
 * <p>Every platform must be checked, so nothing is skipped to save work: a config over {@link
 * ImageConfigEvidence#MAX_BYTES} bytes, an index with more than {@link
 * ImageConfigEvidence#MAX_PLATFORMS} images, a nested index or a manifest without a config fails
 * the whole collection, and the image is refused as "could not verify" rather than let through
 * half-vetted.
 */
final class ImageConfigs {
  private ImageConfigs() {}

  static Future<List<ImageConfigEvidence>> fetch(UpstreamRoute route, Fetched top) {
    try {
      if (!isIndex(top)) {
        return config(route, "", ManifestCodec.readManifest(top.bytes())).map(List::of);
      }
      List<Descriptor> images = ManifestCodec.readIndex(top.bytes()).images();
      if (images.size() > ImageConfigEvidence.MAX_PLATFORMS) {
        return Future.failedFuture(
            unreadable(
                "the index lists "
                    + images.size()
                    + " images, over the "
                    + ImageConfigEvidence.MAX_PLATFORMS
                    + " whose configs the gateway vets"));
      }
      List<Future<ImageConfigEvidence>> each = new ArrayList<>();
      for (Descriptor child : images) {
        if (MediaTypes.isIndex(child.mediaType())) {
          return Future.failedFuture(
              unreadable("the index nests another index, whose platforms are not vetted"));
        }
        each.add(platformConfig(route, child));
      }
      return Future.all(each).map(v -> each.stream().map(Future::result).toList());
    } catch (IllegalArgumentException malformed) {
      return Future.failedFuture(
          unreadable("the manifest is malformed: " + malformed.getMessage()));
    }
  }

  private static Future<ImageConfigEvidence> platformConfig(UpstreamRoute route, Descriptor child) {
    String platform = Descriptor.Platform.describe(child.platform());
    return route
        .artifacts()
        .manifest(route, child.parsedDigest().toString(), EvidenceCollector.MANIFEST_ACCEPT)
        .compose(
            found -> {
              if (found.isEmpty()) {
                return Future.failedFuture(
                    unreadable(platform + ": manifest " + child.digest() + " is missing upstream"));
              }
              return config(route, platform, ManifestCodec.readManifest(found.get().bytes()));
            });
  }

  private static Future<ImageConfigEvidence> config(
      UpstreamRoute route, String platform, ImageManifest manifest) {
    var problem = ImageConfigEvidence.configProblem(platform, manifest);
    if (problem.isPresent()) {
      return Future.failedFuture(unreadable(problem.get()));
    }
    Descriptor config = manifest.config();
    // capped at the declared size too, so an upstream cannot send more than it announced
    return route
        .artifacts()
        .blob(route, config.parsedDigest(), (int) config.size())
        .map(bytes -> new ImageConfigEvidence(platform, bytes));
  }

  private static boolean isIndex(Fetched m) {
    String type = m.mediaType();
    if (type == null || type.isBlank()) {
      type = ManifestCodec.mediaTypeOf(m.bytes());
    }
    return type != null && MediaTypes.isIndex(type.split(";")[0].strip());
  }

  private static OciException unreadable(String why) {
    return OciException.of(OciErrorCode.UNAVAILABLE, "cannot vet the image config: " + why);
  }
}
