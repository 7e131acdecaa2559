package io.portcullis.core.policy;

import io.portcullis.core.vet.AttestationRule;
import io.portcullis.core.vet.ConfigRules;
import java.util.List;
import java.util.Optional;

/**
 * A policy's vetting rules beyond signatures (see {@code docs/vetting.md}).
 *
 * @param config the {@code config} section
 * @param sources {@code sources.allow}: repository globs the image must come from; empty for no
 *     rule
 * @param baseImages {@code baseImages.allow}: globs the base image name must match; empty for no
 *     rule
 * @param attestations the {@code attestations} list
 */
public record VetRules(
    Optional<ConfigRules> config,
    List<ScopePattern> sources,
    List<ScopePattern> baseImages,
    List<AttestationRule> attestations) {

  /** No vetting. */
  public static final VetRules NONE =
      new VetRules(Optional.empty(), List.of(), List.of(), List.of());

  public VetRules {
    sources = List.copyOf(sources);
    baseImages = List.copyOf(baseImages);
    attestations = List.copyOf(attestations);
  }

  /** True when any rule reads the image config. */
  public boolean needsImageConfig() {
    return config.isPresent() || !baseImages.isEmpty();
  }

  /** True when any rule is set. */
  public boolean any() {
    return needsImageConfig() || !sources.isEmpty() || !attestations.isEmpty();
  }
}
