package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.policy.AttestationBudget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which {@code .att} layers the gateway fetches: the newest DSSE envelopes within the budget. */
class EvidenceCollectorTest {
  private static final long MIB = 1024 * 1024;

  /** The selection itself is {@code AttestationBudgetTest}'s; here, that the gateway uses it. */
  @Test
  void fetchesTheSharedBudgetsSelectionEachCappedAtItsDeclaredSize() {
    List<Long> sizes = new ArrayList<>();
    for (int i = 0; i < 80; i++) { // 68 envelopes, 12 other layers
      sizes.add(i % 7 == 0 ? -1L : 1000L + i);
    }
    sizes.add(17 * MIB); // over the byte budget on its own
    ImageManifest att = manifest(sizes);
    List<EvidenceCollector.Wanted> wanted = EvidenceCollector.attestationLayers(att);
    assertEquals(
        AttestationBudget.select(att).layers(), wanted.stream().map(w -> w.layer()).toList());
    assertEquals(AttestationBudget.MAX_ENVELOPES, wanted.size());
    wanted.forEach(w -> assertEquals(w.layer().size(), w.maxBytes(), "capped at declared size"));
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
