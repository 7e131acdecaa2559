package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.policy.SignatureBudget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which {@code .sig} layers the gateway fetches: the shared {@link SignatureBudget}'s. */
class SignatureSelectionTest {

  /** The selection itself is {@code SignatureBudgetTest}'s; here, that the gateway uses it. */
  @Test
  void fetchesTheSharedBudgetsSelectionEachCappedAtItsDeclaredSize() {
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long size = i == 36 ? SignatureBudget.MAX_SIGNATURE_BYTES + 1L : 200L + i;
      String type = i == 5 ? MediaTypes.OCI_EMPTY : SimpleSigningPayload.MEDIA_TYPE;
      Digest digest = Digest.sha256(("sig " + i).getBytes(StandardCharsets.UTF_8));
      layers.add(Descriptor.of(type, digest, size));
    }
    ImageManifest sig =
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, null, layers, null, null);

    List<EvidenceCollector.Wanted> wanted = EvidenceCollector.signatureLayers(sig);

    assertEquals(
        SignatureBudget.cosign(sig).layers(), wanted.stream().map(w -> w.layer()).toList());
    // 39 signatures (one layer is of another type): the newest 32, less the oversized one
    assertEquals(SignatureBudget.MAX_SIGNATURES - 1, wanted.size());
    assertEquals(layers.get(39), wanted.get(0).layer(), "the newest first");
    assertFalse(wanted.stream().anyMatch(w -> w.layer().equals(layers.get(36))), "oversized");
    wanted.forEach(w -> assertEquals(w.layer().size(), w.maxBytes(), "capped at declared size"));
  }
}
