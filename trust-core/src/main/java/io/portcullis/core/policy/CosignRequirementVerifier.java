package io.portcullis.core.policy;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.CosignSignatureVerifier;
import io.portcullis.core.cosign.LayerOutcome;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a cosign requirement: some simple-signing layer of the evidence verifies, with every check
 * of {@link CosignSignatureVerifier}, under a key of the trust store. One verifier per key, built
 * once, so the decision can say which key signed without parsing messages.
 */
final class CosignRequirementVerifier {
  /** Bounds the work one image can ask for: layers × keys signature checks. */
  static final int MAX_LAYERS = 64;

  /** The reason given when the image has no cosign signature layer at all. */
  static final String NONE_FOUND = "no cosign signature found";

  private record KeyVerifier(TrustedKey key, CosignSignatureVerifier verifier) {}

  private final CosignTrustStore store;
  private final List<KeyVerifier> verifiers;

  CosignRequirementVerifier(CosignTrustStore store, Clock clock) {
    this(store, clock, List.of(), false);
  }

  /**
   * With {@code tlog: required}: a layer counts only with a Rekor bundle whose SET verifies under
   * one of {@code rekorKeys} (the trusted root's logs) and whose entry matches the signature.
   */
  CosignRequirementVerifier(
      CosignTrustStore store, Clock clock, List<PublicKey> rekorKeys, boolean tlogRequired) {
    this.store = store;
    this.verifiers =
        store.keys().stream()
            .map(
                key ->
                    new KeyVerifier(
                        key,
                        CosignSignatureVerifier.builder()
                            .trustedKeys(List.of(key.key()))
                            .rekorKeys(rekorKeys)
                            .requireTransparencyLog(tlogRequired)
                            .clock(clock)
                            .build()))
            .toList();
  }

  RequirementResult verify(Digest image, List<CosignSignatures> evidence) {
    Set<String> failures = new LinkedHashSet<>();
    List<SignedBy> signers = new ArrayList<>();
    int seen = 0;
    for (CosignSignatures signatures : evidence) {
      // Newest first, as SignatureBudget fetches them: signing appends a layer.
      List<Descriptor> newestFirst = new ArrayList<>(signatures.signatureManifest().layers());
      Collections.reverse(newestFirst);
      for (Descriptor layer : newestFirst) {
        if (!SimpleSigningPayload.MEDIA_TYPE.equals(layer.mediaType())) {
          continue;
        }
        if (++seen > MAX_LAYERS) {
          failures.add("more than " + MAX_LAYERS + " signature layers; the rest were not checked");
          break;
        }
        byte[] blob = blob(signatures, layer);
        if (blob == null) {
          failures.add("layer " + layer.digest() + " was not fetched");
          continue;
        }
        verifyLayer(image, new AttachmentLayer(layer, blob), signers, failures);
      }
    }
    if (!signers.isEmpty()) {
      return new RequirementResult(
          true,
          "signed by " + String.join(", ", signers.stream().map(SignedBy::description).toList()),
          signers,
          List.of());
    }
    String reason = seen == 0 ? NONE_FOUND : String.join("; ", failures);
    return new RequirementResult(false, reason, List.of(), List.of());
  }

  private void verifyLayer(
      Digest image, AttachmentLayer layer, List<SignedBy> signers, Set<String> failures) {
    LayerOutcome closest = null;
    for (KeyVerifier kv : verifiers) {
      LayerOutcome outcome = kv.verifier().verify(image, List.of(layer)).layers().get(0);
      if (outcome.verified()) {
        SignedBy signer =
            SignedBy.key(
                "cosign key " + kv.key().shortId() + " (" + store.name() + ")", kv.key().shortId());
        if (!signers.contains(signer)) {
          signers.add(signer);
        }
        return;
      }
      // the key under which the layer got furthest explains the failure best (e.g. a digest
      // mismatch after a good signature, rather than "does not verify" from every other key)
      if (closest == null || passedChecks(outcome) > passedChecks(closest)) {
        closest = outcome;
      }
    }
    String why = closest.failure().orElse("not verified");
    failures.add(
        why.startsWith("signature does not verify")
            ? "signature does not verify with any trusted key"
            : why);
  }

  private static long passedChecks(LayerOutcome outcome) {
    return outcome.checks().stream().filter(c -> c.passed()).count();
  }

  private static byte[] blob(CosignSignatures signatures, Descriptor layer) {
    try {
      return signatures.layerBlobs().get(layer.parsedDigest());
    } catch (RuntimeException e) {
      return null; // a malformed digest cannot have been fetched
    }
  }
}
