package io.portcullis.core.oci;

import java.util.regex.Pattern;

/**
 * A repository name as the <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests">OCI
 * distribution spec</a> defines it: slash-separated lowercase components, at most 255 characters. A
 * valid name never contains {@code ..}, an empty segment or a leading slash, so it is safe to place
 * in a URL path or a file path.
 */
public record RepositoryName(String value) {

  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*");
  public static final int MAX_LENGTH = 255;

  public RepositoryName {
    if (value == null || value.length() > MAX_LENGTH || !NAME.matcher(value).matches()) {
      throw new InvalidReferenceException(
          "invalid repository name '"
              + Digest.abbreviate(String.valueOf(value))
              + "': lowercase letters, digits and separators (. _ __ -) in /-separated parts,"
              + " at most "
              + MAX_LENGTH
              + " characters");
    }
  }

  public static RepositoryName of(String value) {
    return new RepositoryName(value);
  }

  public static boolean isValid(String value) {
    return value != null && value.length() <= MAX_LENGTH && NAME.matcher(value).matches();
  }

  /** The path segments of the name. */
  public String[] segments() {
    return value.split("/");
  }

  @Override
  public String toString() {
    return value;
  }
}
