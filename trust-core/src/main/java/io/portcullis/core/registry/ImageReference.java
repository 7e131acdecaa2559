package io.portcullis.core.registry;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.core.oci.Tag;
import java.util.Optional;

/**
 * An image reference as users type it: {@code [host[:port]/]repo[:tag][@digest]}.
 *
 * <p>Follows the normalisation of the <a
 * href="https://github.com/distribution/reference/blob/main/reference.go">distribution reference
 * grammar</a>: the first path component is a registry only when it contains {@code .} or {@code :}
 * or is {@code localhost}; otherwise the image is on Docker Hub ({@code docker.io}), where a
 * single-component name lives under {@code library/}. With neither tag nor digest the tag is {@code
 * latest}.
 */
public record ImageReference(
    RemoteRepository repository, Optional<Tag> tag, Optional<Digest> digest) {

  private static final Tag LATEST = Tag.of("latest");

  public ImageReference {
    if (repository == null) {
      throw new InvalidReferenceException("image reference has no repository");
    }
    if (tag.isEmpty() && digest.isEmpty()) {
      tag = Optional.of(LATEST);
    }
  }

  /** Parses and normalises {@code text}; throws {@link InvalidReferenceException} if malformed. */
  public static ImageReference parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidReferenceException("image reference is empty");
    }
    String rest = text.strip();
    Optional<Digest> digest = Optional.empty();
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = Optional.of(Digest.parse(rest.substring(at + 1)));
      rest = rest.substring(0, at);
    }
    Optional<Tag> tag = Optional.empty();
    int lastColon = rest.lastIndexOf(':');
    if (lastColon > rest.lastIndexOf('/')) {
      tag = Optional.of(Tag.of(rest.substring(lastColon + 1)));
      rest = rest.substring(0, lastColon);
    }
    String registry = RemoteRepository.DOCKER_HUB;
    String path = rest;
    int firstSlash = rest.indexOf('/');
    if (firstSlash > 0 && looksLikeRegistry(rest.substring(0, firstSlash))) {
      registry = rest.substring(0, firstSlash);
      path = rest.substring(firstSlash + 1);
    }
    RemoteRepository repository = new RemoteRepository(registry, RepositoryName.of(path));
    if (RemoteRepository.DOCKER_HUB.equals(repository.registry()) && path.indexOf('/') < 0) {
      repository = new RemoteRepository(registry, RepositoryName.of("library/" + path));
    }
    return new ImageReference(repository, tag, digest);
  }

  /** This image pinned to {@code pinned}; the tag is dropped since the digest now names it. */
  public ImageReference withDigest(Digest pinned) {
    return new ImageReference(repository, Optional.empty(), Optional.of(pinned));
  }

  /** What a manifest request asks for: the digest when there is one, else the tag. */
  public Reference manifestReference() {
    return digest.map(Reference::of).orElseGet(() -> Reference.of(tag.orElseThrow()));
  }

  private static boolean looksLikeRegistry(String component) {
    return component.indexOf('.') >= 0
        || component.indexOf(':') >= 0
        || "localhost".equals(component);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder(repository.toString());
    tag.ifPresent(t -> out.append(':').append(t.value()));
    digest.ifPresent(d -> out.append('@').append(d));
    return out.toString();
  }
}
