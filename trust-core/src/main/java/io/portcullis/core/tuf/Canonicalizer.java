package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The byte form a metadata signature covers, computed from the parsed {@code signed} value. TUF
 * uses {@link CanonicalJson}; Notary v1 uses its own canonical JSON, so this is a parameter.
 */
@FunctionalInterface
public interface Canonicalizer {
  /**
   * The canonical bytes of {@code value}.
   *
   * @throws IllegalArgumentException when the value has no canonical form (a non-integer number)
   */
  byte[] canonicalize(JsonNode value);
}
