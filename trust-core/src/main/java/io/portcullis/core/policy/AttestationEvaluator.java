package io.portcullis.core.policy;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.LayerOutcome;
import io.portcullis.core.dsse.AttestationVerifier;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.vet.AttestationKind;
import io.portcullis.core.vet.AttestationRule;
import io.portcullis.core.vet.ConfigChecks;
import io.portcullis.core.vet.Provenance;
import io.portcullis.core.vet.VulnScan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Checks the {@code attestations} rules against the image's {@code .att} layers: each rule needs a
 * DSSE attestation of its kind, signed by a key of its cosign store and about this image, whose
 * predicate satisfies it. The newest verified scan decides a vuln rule, so a rescan supersedes an
 * old report. Missing, unsigned, untrusted, stale and failing attestations each say so.
 */
final class AttestationEvaluator {
  /** Bounds the work one image can ask for: attestation layers × keys signature checks. */
  static final int MAX_LAYERS = CosignRequirementVerifier.MAX_LAYERS;

  private final Clock clock;
  private final Map<String, AttestationVerifier> verifiers = new HashMap<>();
  private final Map<AttestationRule, BundleAttestations> keyless = new HashMap<>();
  private final Map<AttestationRule, BundleAttestations> keyBundles = new HashMap<>();

  AttestationEvaluator(TrustPolicy trust, Clock clock) {
    this(trust, clock, new SigstoreVerifiers(trust));
  }

  AttestationEvaluator(TrustPolicy trust, Clock clock, SigstoreVerifiers sigstore) {
    this.clock = clock;
    for (Policy p : trust.policies()) {
      for (AttestationRule rule : p.vetting().attestations()) {
        if (trust.trustStore(rule.trustStore()) instanceof SigstoreTrustStore store) {
          keyless.computeIfAbsent(
              rule, r -> BundleAttestations.keyless(store.name(), sigstore.verifier(store), r));
        }
      }
    }
    for (Policy p : trust.policies()) {
      for (AttestationRule rule : p.vetting().attestations()) {
        if (trust.trustStore(rule.trustStore()) instanceof CosignTrustStore store
            && !store.keys().isEmpty()) {
          keyBundles.computeIfAbsent(
              rule,
              r ->
                  BundleAttestations.keys(
                      store.name(),
                      sigstore.logsOf(store),
                      r,
                      store.keys().stream().map(TrustedKey::key).toList()));
          for (String type : rule.kind().predicateTypes()) {
            verifiers.computeIfAbsent(
                store.name() + " " + type,
                k ->
                    new AttestationVerifier(
                        store.keys().stream().map(TrustedKey::key).toList(), type));
          }
        }
      }
    }
  }

  /**
   * The checks of the attestation rules, and the keyless signers of the attestations that satisfied
   * them (issuer, SAN and log index), which the decision names beside the image's signers.
   */
  record Result(List<CheckResult> checks, List<SignedBy> signers) {
    Result {
      checks = List.copyOf(checks);
      signers = List.copyOf(signers);
    }
  }

  Result evaluate(List<AttestationRule> rules, Evidence evidence) {
    List<AttachmentLayer> layers = layers(evidence.attestations());
    List<CheckResult> checks = new ArrayList<>();
    List<SignedBy> signers = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      AttestationRule rule = rules.get(i);
      String check =
          "attestations[" + i + "] " + rule.kind().policyName() + " " + rule.trustStore();
      String reason;
      String passed = passed(rule);
      try {
        if (rule.isKeyless()) {
          BundleAttestations.Found found = keyless.get(rule).verify(evidence);
          reason = found.failure().or(() -> judge(rule, found.statements())).orElse(null);
          passed =
              rule.kind().policyName()
                  + " attestation holds, signed by "
                  + String.join(", ", found.signers().stream().map(SignedBy::description).toList());
          if (reason == null) {
            signers.addAll(found.signers());
          }
        } else {
          reason = check(rule, evidence.image(), layers).orElse(null);
          BundleAttestations bundles = keyBundles.get(rule);
          if (reason != null && bundles != null) {
            // a cosign v3 attestation by key is a bundle referrer, not a .att layer
            BundleAttestations.Found found = bundles.verify(evidence);
            Optional<String> byBundle = found.failure().or(() -> judge(rule, found.statements()));
            if (byBundle.isEmpty()) {
              reason = null;
              passed =
                  rule.kind().policyName()
                      + " attestation holds, signed by "
                      + String.join(
                          ", ", found.signers().stream().map(SignedBy::description).toList());
              signers.addAll(found.signers());
            } else if (found.tried() > 0) {
              reason = reason + "; bundles: " + byBundle.get();
            }
          }
        }
      } catch (IllegalArgumentException e) {
        reason = e.getMessage();
      }
      checks.add(
          reason == null
              ? new CheckResult(check, Outcome.PASSED, passed)
              : new CheckResult(check, Outcome.FAILED, reason));
    }
    return new Result(checks, signers);
  }

  private static String passed(AttestationRule rule) {
    return rule.kind().policyName() + " attestation signed by '" + rule.trustStore() + "' holds";
  }

  /** Empty when the rule holds, else why not. */
  private Optional<String> check(AttestationRule rule, Digest image, List<AttachmentLayer> layers) {
    List<AttachmentLayer> ofKind = new ArrayList<>();
    Map<AttachmentLayer, String> types = new HashMap<>();
    boolean anySigned = false;
    for (AttachmentLayer layer : layers) {
      Optional<DsseEnvelope> envelope = envelope(layer);
      // the unsigned statement only picks the verifier; the verifier checks the signed type
      Optional<String> type =
          envelope
              .flatMap(AttestationEvaluator::statementType)
              .filter(rule.kind().predicateTypes()::contains);
      if (type.isPresent()) {
        ofKind.add(layer);
        types.put(layer, type.get());
        anySigned |= !envelope.get().signatures().isEmpty();
      }
    }
    if (ofKind.size() > MAX_LAYERS) {
      // attest appends, so the newest attestations are last; keep those
      ofKind = List.copyOf(ofKind.subList(ofKind.size() - MAX_LAYERS, ofKind.size()));
    }
    String name = rule.kind().policyName();
    String attach =
        "attach one with 'portcullis-signer attest --type "
            + name
            + "' and a key of '"
            + rule.trustStore()
            + "'";
    if (ofKind.isEmpty()) {
      return Optional.of("no " + name + " attestation found; " + attach);
    }
    if (!anySigned) {
      return Optional.of("the " + name + " attestation is unsigned; " + attach);
    }
    List<InTotoStatement> verified = new ArrayList<>();
    String failure = null;
    for (String type : rule.kind().predicateTypes()) {
      AttestationVerifier verifier = verifiers.get(rule.trustStore() + " " + type);
      if (verifier == null) {
        return Optional.of("trust store '" + rule.trustStore() + "' has no keys");
      }
      List<AttachmentLayer> ofType =
          ofKind.stream().filter(l -> type.equals(types.get(l))).toList();
      for (LayerOutcome outcome : verifier.verify(image, ofType).layers()) {
        if (outcome.verified()) {
          layer(ofKind, outcome.layerDigest())
              .flatMap(AttestationEvaluator::envelope)
              .map(e -> InTotoStatement.parse(e.payload()))
              .ifPresent(verified::add);
        } else if (failure == null || outcome.failure().orElse("").contains("signature")) {
          failure = outcome.failure().orElse("not verified");
        }
      }
    }
    if (verified.isEmpty()) {
      return Optional.of(
          "no "
              + name
              + " attestation verifies with a key of '"
              + rule.trustStore()
              + "' ("
              + failure
              + "); "
              + attach);
    }
    return judge(rule, verified);
  }

  /** Whether the verified statements satisfy the rule's predicate conditions. */
  private Optional<String> judge(AttestationRule rule, List<InTotoStatement> verified) {
    return rule.kind() == AttestationKind.VULN ? vuln(rule, verified) : provenance(rule, verified);
  }

  private Optional<String> vuln(AttestationRule rule, List<InTotoStatement> statements) {
    List<VulnScan> scans = new ArrayList<>();
    for (InTotoStatement s : statements) {
      scans.add(VulnScan.parse(s.predicate()));
    }
    VulnScan newest =
        scans.stream()
            .max(Comparator.comparing(s -> s.finished().orElse(Instant.MIN)))
            .orElseThrow();
    if (rule.maxAge().isPresent()) {
      if (newest.finished().isEmpty()) {
        return Optional.of(
            "the vuln attestation has no metadata.scanFinishedOn, so its age is unknown; rescan");
      }
      Duration age = Duration.between(newest.finished().get(), clock.instant());
      if (age.compareTo(rule.maxAge().get()) > 0) {
        return Optional.of(
            "stale: the newest scan finished "
                + newest.finished().get()
                + ", "
                + ConfigChecks.days(age)
                + " ago, over maxAge "
                + ConfigChecks.days(rule.maxAge().get())
                + "; rescan and attest again");
      }
    }
    if (rule.failOn().isPresent()) {
      String found = newest.report().atOrAbove(rule.failOn().get());
      if (!found.isEmpty()) {
        return Optional.of(
            newest.report().scanner()
                + " found "
                + found
                + " (failOn "
                + rule.failOn().get()
                + "); fix them and rescan");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> provenance(
      AttestationRule rule, List<InTotoStatement> statements) {
    if (rule.builderId().isEmpty()) {
      return Optional.empty();
    }
    List<String> builders = new ArrayList<>();
    for (InTotoStatement s : statements) {
      Optional<String> id = Provenance.builderId(s.predicateType(), s.predicate());
      if (id.isPresent() && id.get().equals(rule.builderId().get())) {
        return Optional.empty();
      }
      builders.add(id.map(b -> "'" + b + "'").orElse("none"));
    }
    return Optional.of(
        "provenance builder " + builders + " is not '" + rule.builderId().get() + "'");
  }

  private static List<AttachmentLayer> layers(List<CosignSignatures> manifests) {
    List<AttachmentLayer> layers = new ArrayList<>();
    for (CosignSignatures att : manifests) {
      for (Descriptor d : att.signatureManifest().layers()) {
        if (DsseEnvelope.MEDIA_TYPE.equals(d.mediaType())) {
          byte[] blob;
          try {
            blob = att.layerBlobs().get(d.parsedDigest());
          } catch (RuntimeException malformed) {
            continue;
          }
          if (blob != null) {
            layers.add(new AttachmentLayer(d, blob));
          }
        }
      }
    }
    return layers;
  }

  private static Optional<AttachmentLayer> layer(List<AttachmentLayer> layers, String digest) {
    return layers.stream().filter(l -> l.descriptor().digest().equals(digest)).findFirst();
  }

  private static Optional<DsseEnvelope> envelope(AttachmentLayer layer) {
    try {
      return Optional.of(DsseEnvelope.parse(layer.content()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> statementType(DsseEnvelope envelope) {
    try {
      return Optional.of(InTotoStatement.parse(envelope.payload()).predicateType());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
