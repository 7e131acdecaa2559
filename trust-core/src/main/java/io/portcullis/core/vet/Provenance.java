package io.portcullis.core.vet;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.dsse.PredicateTypes;
import java.util.Optional;

/**
 * The builder of a SLSA provenance predicate: {@code builder.id} in <a
 * href="https://slsa.dev/spec/v0.2/provenance">v0.2</a>, {@code runDetails.builder.id} in <a
 * href="https://slsa.dev/spec/v1.0/provenance">v1</a>.
 */
public final class Provenance {
  private Provenance() {}

  /** The builder id, or empty when the predicate names none. */
  public static Optional<String> builderId(String predicateType, JsonNode predicate) {
    JsonNode id =
        PredicateTypes.SLSA_PROVENANCE_V1.equals(predicateType)
            ? predicate.path("runDetails").path("builder").path("id")
            : predicate.path("builder").path("id");
    return id.isTextual() && !id.asText().isBlank() ? Optional.of(id.asText()) : Optional.empty();
  }
}
