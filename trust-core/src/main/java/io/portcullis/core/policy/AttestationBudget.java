package io.portcullis.core.policy;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageManifest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which DSSE envelopes of an image's cosign {@code sha256-<hex>.att} manifest are fetched for the
 * {@code attestations} rules: the newest (attest appends, so the last layers) within a count and a
 * byte budget, so a hostile registry cannot make the gateway or the CLI buffer much. Each envelope
 * is to be fetched capped at its declared size, so the budget holds whatever the registry sends.
 */
public final class AttestationBudget {
  /** The newest envelopes fetched per image, as many as the evaluator reads per rule. */
  public static final int MAX_ENVELOPES = 64;

  /**
   * Bytes of envelopes buffered per image: one envelope as big as the CLI accepts (scanner reports
   * of large images run to megabytes), or many small ones.
   */
  public static final long MAX_BYTES = 16L * 1024 * 1024;

  private AttestationBudget() {}

  /**
   * The envelopes to fetch, newest first, and how many DSSE layers the manifest lists.
   *
   * @param layers the DSSE layers to fetch, newest first, each with the size to cap it at
   * @param envelopes how many DSSE layers the manifest lists in all
   */
  public record Selection(List<Descriptor> layers, int envelopes) {
    public Selection {
      layers = List.copyOf(layers);
    }

    /**
     * Says what was left out, when something was: {@code the newest 64 of 70 attestation envelopes
     * were fetched (at most 64 and 16 MiB per image)}.
     */
    public Optional<String> note() {
      if (layers.size() == envelopes) {
        return Optional.empty();
      }
      return Optional.of(
          "the newest "
              + layers.size()
              + " of "
              + envelopes
              + " attestation envelopes were fetched (at most "
              + MAX_ENVELOPES
              + " and "
              + MAX_BYTES / (1024 * 1024)
              + " MiB per image)");
    }
  }

  /** The newest DSSE layers of {@code att} within the budgets; no others. */
  public static Selection select(ImageManifest att) {
    List<Descriptor> wanted = new ArrayList<>();
    long budget = MAX_BYTES;
    int envelopes = 0;
    List<Descriptor> layers = att.layers();
    for (int i = layers.size() - 1; i >= 0; i--) {
      Descriptor l = layers.get(i);
      if (!DsseEnvelope.MEDIA_TYPE.equals(l.mediaType())) {
        continue;
      }
      envelopes++;
      if (wanted.size() < MAX_ENVELOPES && l.size() >= 0 && l.size() <= budget) {
        budget -= l.size();
        wanted.add(l);
      }
    }
    return new Selection(wanted, envelopes);
  }
}
