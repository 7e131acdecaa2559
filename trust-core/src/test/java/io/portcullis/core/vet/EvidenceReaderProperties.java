package io.portcullis.core.vet;

import static io.portcullis.core.testing.Mutations.onlyThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.dsse.PredicateTypes;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.testing.Mutations;
import io.portcullis.core.testing.TestResources;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The policy's evidence readers over attestation predicates and image configs made from the scanner
 * reports in the test resources, mutated: a vuln predicate is read or refused with {@link
 * IllegalArgumentException} (which the evaluator reports as a failed check), a provenance builder
 * is read or absent, an image config is read or refused with {@link IllegalArgumentException}.
 */
class EvidenceReaderProperties {

  @Provide
  Arbitrary<byte[]> predicates() {
    List<byte[]> seeds =
        Stream.of(
                "trivy-with-critical.json",
                "trivy-clean.json",
                "grype-with-high.json",
                "grype-low-only.json",
                "not-a-report.json")
            .map(
                name ->
                    ("{\"scanner\":{\"uri\":\"x\",\"result\":"
                            + TestResources.text("vet/" + name)
                            + "},\"metadata\":{\"scanFinishedOn\":\"2024-05-01T10:00:00Z\"},"
                            + "\"builder\":{\"id\":\"https://ci.test\"},"
                            + "\"runDetails\":{\"builder\":{\"id\":\"https://ci.test\"}}}")
                        .getBytes(StandardCharsets.UTF_8))
            .toList();
    return Mutations.inputsLike(seeds);
  }

  @Property(tries = 2000)
  void vulnPredicatesAndProvenanceBuilders(@ForAll("predicates") byte[] bytes) {
    JsonNode predicate;
    try {
      predicate = StrictJson.readTree(bytes);
    } catch (StrictJson.InvalidJsonException e) {
      return;
    }
    onlyThrows(IllegalArgumentException.class, () -> VulnScan.parse(predicate));
    // never throws: a predicate without a builder simply names none
    Provenance.builderId(PredicateTypes.SLSA_PROVENANCE_V1, predicate);
    Provenance.builderId(PredicateTypes.SLSA_PROVENANCE_V02, predicate);
  }

  @Provide
  Arbitrary<byte[]> configs() {
    return Mutations.inputsLike(
        List.of(
            ("{\"created\":\"2024-05-01T10:00:00Z\",\"config\":{\"User\":\"app\","
                    + "\"Env\":[\"PATH=/bin\",\"TOKEN=x\"],\"ExposedPorts\":{\"8080/tcp\":{}},"
                    + "\"Labels\":{\"org.opencontainers.image.source\":\"x\"}},"
                    + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}")
                .getBytes(StandardCharsets.UTF_8)));
  }

  @Property(tries = 2000)
  void imageConfigs(@ForAll("configs") byte[] bytes) {
    onlyThrows(IllegalArgumentException.class, () -> ImageConfig.parse(bytes));
  }
}
