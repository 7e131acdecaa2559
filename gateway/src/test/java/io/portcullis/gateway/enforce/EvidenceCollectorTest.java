package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which {@code .att} layers the gateway fetches: the newest DSSE envelopes within its budgets. */
class EvidenceCollectorTest {
  private static final long MIB = 1024 * 1024;

  static Stream<Arguments> budgets() {
    return Stream.of(
        // layer sizes, oldest first (negative: not a DSSE layer) -> indexes fetched, newest first
        Arguments.of(List.of(100L, 200L, 300L), List.of(2, 1, 0)),
        Arguments.of(List.of(100L, -50L, 300L), List.of(2, 0)),
        Arguments.of(List.of(10 * MIB, 8 * MIB, 4 * MIB), List.of(2, 1)),
        Arguments.of(List.of(4 * MIB, 17 * MIB, 8 * MIB), List.of(2, 0)),
        Arguments.of(List.<Long>of(), List.<Integer>of()));
  }

  @ParameterizedTest
  @MethodSource("budgets")
  void newestEnvelopesWithinTheByteBudget(List<Long> sizes, List<Integer> expected) {
    ImageManifest att = manifest(sizes);
    List<Integer> fetched =
        EvidenceCollector.attestationLayers(att).stream()
            .map(w -> att.layers().indexOf(w.layer()))
            .toList();
    assertEquals(expected, fetched);
  }

  @ParameterizedTest
  @MethodSource("counts")
  void atMostTheNewestSixtyFour(int layers, int first) {
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      sizes.add(1000L + i);
    }
    ImageManifest att = manifest(sizes);
    var wanted = EvidenceCollector.attestationLayers(att);
    assertEquals(Math.min(layers, EvidenceCollector.MAX_ATTESTATIONS), wanted.size());
    assertEquals(first, att.layers().indexOf(wanted.get(0).layer()));
    wanted.forEach(w -> assertEquals(w.layer().size(), w.maxBytes(), "capped at declared size"));
  }

  static Stream<Arguments> counts() {
    return Stream.of(Arguments.of(1, 0), Arguments.of(64, 63), Arguments.of(100, 99));
  }

  private static ImageManifest manifest(List<Long> sizes) {
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      long size = sizes.get(i);
      String type = size < 0 ? MediaTypes.OCI_EMPTY : DsseEnvelope.MEDIA_TYPE;
      Digest digest = Digest.sha256(("layer " + i).getBytes(StandardCharsets.UTF_8));
      layers.add(Descriptor.of(type, digest, Math.abs(size)));
    }
    return new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, null, layers, null, null);
  }
}
