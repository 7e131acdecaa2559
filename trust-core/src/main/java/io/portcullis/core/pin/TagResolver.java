package io.portcullis.core.pin;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.registry.ImageReference;
import java.util.Optional;

/**
 * Looks up the digest a tag names right now. The rewriter calls it once per reference it pins; the
 * CLI implements it with the registry client (and caches, since one base image appears in many
 * files).
 */
@FunctionalInterface
public interface TagResolver {

  /**
   * The manifest digest of {@code image}'s tag, or empty when the tag or repository does not exist.
   * Failures to ask (registry unreachable, access refused) are thrown, so they are never mistaken
   * for "not found".
   */
  Optional<Digest> resolve(ImageReference image);
}
