package io.portcullis.core.oci;

import java.util.regex.Pattern;

/** A tag: {@code [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}}, per the OCI distribution spec. */
public record Tag(String value) {

  private static final Pattern TAG = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

  public Tag {
    if (!isValid(value)) {
      throw new InvalidReferenceException(
          "invalid tag '"
              + Digest.abbreviate(String.valueOf(value))
              + "': up to 128 of [a-zA-Z0-9_.-], not starting with . or -");
    }
  }

  public static Tag of(String value) {
    return new Tag(value);
  }

  public static boolean isValid(String value) {
    return value != null && TAG.matcher(value).matches();
  }

  @Override
  public String toString() {
    return value;
  }
}
