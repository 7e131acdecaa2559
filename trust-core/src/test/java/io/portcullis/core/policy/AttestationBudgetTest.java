package io.portcullis.core.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.MediaTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which {@code .att} layers are fetched: the newest DSSE envelopes within the budgets. */
class AttestationBudgetTest {
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
        AttestationBudget.select(att).layers().stream().map(att.layers()::indexOf).toList();
    assertEquals(expected, fetched);
  }

  static Stream<Arguments> counts() {
    return Stream.of(Arguments.of(1, 0), Arguments.of(64, 63), Arguments.of(100, 99));
  }

  @ParameterizedTest
  @MethodSource("counts")
  void atMostTheNewestSixtyFour(int layers, int first) {
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i < layers; i++) {
      sizes.add(1000L + i);
    }
    ImageManifest att = manifest(sizes);
    AttestationBudget.Selection selection = AttestationBudget.select(att);
    assertEquals(Math.min(layers, AttestationBudget.MAX_ENVELOPES), selection.layers().size());
    assertEquals(first, att.layers().indexOf(selection.layers().get(0)));
    assertEquals(layers, selection.envelopes());
  }

  @Test
  void aNoteSaysWhatWasLeftOutAndOnlyThen() {
    List<Long> seventy = new ArrayList<>();
    for (int i = 0; i < 70; i++) {
      seventy.add(100L);
    }
    seventy.add(-1L); // not an envelope: not counted
    assertEquals(
        Optional.of(
            "the newest 64 of 70 attestation envelopes were fetched (at most 64 and 16 MiB per"
                + " image)"),
        AttestationBudget.select(manifest(seventy)).note());
    assertEquals(
        Optional.of(
            "the newest 1 of 2 attestation envelopes were fetched (at most 64 and 16 MiB per"
                + " image)"),
        AttestationBudget.select(manifest(List.of(10 * MIB, 8 * MIB))).note());
    assertEquals(Optional.empty(), AttestationBudget.select(manifest(List.of(1L, -1L))).note());
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
