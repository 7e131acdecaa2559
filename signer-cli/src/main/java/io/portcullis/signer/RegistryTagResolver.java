package io.portcullis.signer;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.pin.TagResolver;
import io.portcullis.core.registry.ImageReference;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryNotFoundException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves tags on their registries with the CLI's client, asking once per reference per run: a
 * base image named in ten files is looked up once, and every file gets the same digest even if the
 * tag moves while the command runs.
 */
final class RegistryTagResolver implements TagResolver {

  private final RegistryClient client;
  private final Map<String, Optional<Digest>> resolved = new HashMap<>();

  RegistryTagResolver(RegistryClient client) {
    this.client = client;
  }

  @Override
  public Optional<Digest> resolve(ImageReference image) {
    return resolved.computeIfAbsent(
        image.toString(), key -> head(image, image.manifestReference()));
  }

  /** True when {@code digest} exists in {@code image}'s repository. */
  boolean exists(ImageReference image, Digest digest) {
    return head(image, Reference.of(digest)).isPresent();
  }

  /** Not found (tag or repository) is an answer; unreachable or refused is thrown as it is. */
  private Optional<Digest> head(ImageReference image, Reference reference) {
    try {
      return client
          .headManifest(image.repository(), reference)
          .map(descriptor -> descriptor.parsedDigest());
    } catch (RegistryNotFoundException e) {
      return Optional.empty();
    }
  }
}
