package io.portcullis.core.oci;

import java.util.Optional;

/**
 * The {@code <reference>} of a manifest request: a tag or a digest (never both). Parsed from the
 * last path segment of {@code /v2/<name>/manifests/<reference>}.
 */
public record Reference(Optional<Tag> tag, Optional<Digest> digest) {

  public Reference {
    if (tag.isPresent() == digest.isPresent()) {
      throw new IllegalArgumentException("a reference is either a tag or a digest");
    }
  }

  /** A digest when the value contains ':', else a tag. */
  public static Reference parse(String value) {
    if (value != null && value.indexOf(':') >= 0) {
      return new Reference(Optional.empty(), Optional.of(Digest.parse(value)));
    }
    return new Reference(Optional.of(Tag.of(value)), Optional.empty());
  }

  public static Reference of(Digest digest) {
    return new Reference(Optional.empty(), Optional.of(digest));
  }

  public static Reference of(Tag tag) {
    return new Reference(Optional.of(tag), Optional.empty());
  }

  public boolean isDigest() {
    return digest.isPresent();
  }

  @Override
  public String toString() {
    return tag.map(Tag::value).orElseGet(() -> digest.orElseThrow().toString());
  }
}
