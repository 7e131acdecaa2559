package io.portcullis.core.policy;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One entry of {@code policies}: the repositories it covers, whether it is enforced, the signatures
 * it requires, how Notary checks are treated, and its tag rules. Built by {@link
 * TrustPolicyLoader}, which has validated every field.
 *
 * @param name unique within the document; named in every decision message
 * @param scopes repository path globs (see {@link ScopePattern})
 * @param mode enforce, audit or off
 * @param tags the {@code tags} section ({@link TagRules#DEFAULT} when absent)
 * @param signatures the {@code signatures} section; empty means no signature is required
 * @param verification the Notary per-check actions ({@link VerificationActions#STRICT} by default)
 * @param vetting the config, sources, base image and attestation rules ({@link VetRules#NONE} when
 *     absent)
 */
public record Policy(
    String name,
    List<String> scopes,
    Mode mode,
    TagRules tags,
    Optional<SignatureRule> signatures,
    VerificationActions verification,
    VetRules vetting) {

  /** The tag whose use {@link TagRules#allowLatest()} controls. */
  public static final String LATEST = "latest";

  /** A policy of signature and tag rules only. */
  public Policy(
      String name,
      List<String> scopes,
      Mode mode,
      TagRules tags,
      Optional<SignatureRule> signatures,
      VerificationActions verification) {
    this(name, scopes, mode, tags, signatures, verification, VetRules.NONE);
  }

  public Policy {
    Objects.requireNonNull(name, "name");
    scopes = List.copyOf(scopes);
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(tags, "tags");
    Objects.requireNonNull(signatures, "signatures");
    Objects.requireNonNull(verification, "verification");
    Objects.requireNonNull(vetting, "vetting");
  }

  /** True when this policy lets {@code tag} be pulled by tag (digests are always allowed). */
  public boolean tagAllowed(String tag) {
    return tagDenial(tag).isEmpty();
  }

  /**
   * Why {@code tag} may not be pulled under this policy, as a message for the client, or empty when
   * it may. The caller applies {@link #mode()}: under audit the message is only logged.
   */
  public Optional<String> tagDenial(String tag) {
    if (!tags.allowLatest() && LATEST.equals(tag)) {
      return Optional.of(
          "denied by policy '"
              + name
              + "': tag 'latest' is not allowed (tags.allowLatest: false) — pull a version tag"
              + " or a digest");
    }
    return Optional.empty();
  }

  /**
   * The signature formats this policy's requirements read, so a caller can skip fetching the
   * others; empty when the policy is off or requires no signature.
   */
  public Set<SignatureType> signatureTypes() {
    Set<SignatureType> types = EnumSet.noneOf(SignatureType.class);
    if (mode != Mode.OFF) {
      signatures.ifPresent(rule -> rule.requirements().forEach(r -> types.add(r.type())));
    }
    return types;
  }

  /** True when a {@code config} or {@code baseImages} rule needs the image config(s) fetched. */
  public boolean needsImageConfig() {
    return mode != Mode.OFF && vetting.needsImageConfig();
  }

  /**
   * True when Sigstore bundle referrers are to be fetched: for a cosign requirement (keyless, or
   * keys, which accept v3 key-based bundles) or an {@code attestations} rule (keyless, or keys,
   * which accept v3 key-based attestation bundles as well as {@code .att} layers).
   */
  public boolean needsBundles() {
    return signatureTypes().contains(SignatureType.COSIGN)
        || (mode != Mode.OFF && !vetting.attestations().isEmpty());
  }

  /**
   * True when an {@code attestations} rule needs the {@code .att} attestations fetched: a rule with
   * a cosign key store (keyless rules read Sigstore bundle referrers instead).
   */
  public boolean needsAttestations() {
    return mode != Mode.OFF && vetting.attestations().stream().anyMatch(r -> !r.isKeyless());
  }
}
