package io.portcullis.core.policy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A loaded, validated trust policy document: its trust stores (keys and certificates already
 * parsed) and its policies. Immutable and safe to share between threads; reload the file to pick up
 * changes and compare {@link #revision()} to tell whether anything changed.
 */
public final class TrustPolicy {
  private final String source;
  private final String revision;
  private final List<Path> files;
  private final Map<String, PolicyTrustStore> trustStores;
  private final List<Policy> policies;
  private final List<Scoped> scoped;

  /** A compiled scope of policy number {@code index}. */
  private record Scoped(ScopePattern pattern, int index) {}

  TrustPolicy(
      String source,
      String revision,
      List<Path> files,
      Map<String, PolicyTrustStore> trustStores,
      List<Policy> policies) {
    this.source = source;
    this.revision = revision;
    this.files = List.copyOf(files);
    this.trustStores = Map.copyOf(trustStores);
    this.policies = List.copyOf(policies);
    this.scoped =
        java.util.stream.IntStream.range(0, policies.size())
            .boxed()
            .flatMap(
                i ->
                    policies.get(i).scopes().stream()
                        .map(s -> new Scoped(ScopePattern.parse(s), i)))
            .toList();
  }

  /**
   * The policy for {@code repository} (a path without registry host, e.g. {@code internal/prod/app}
   * or {@code docker.io/library/nginx} as the gateway names it): the one with the most specific
   * matching scope, earlier policy first on a tie. Empty when no scope matches, which callers
   * should treat as a denial.
   */
  public Optional<Policy> policyFor(String repository) {
    Scoped best = null;
    for (Scoped candidate : scoped) {
      if (candidate.pattern().matches(repository)
          && (best == null
              || ScopePattern.MOST_SPECIFIC_FIRST.compare(candidate.pattern(), best.pattern())
                  < 0)) {
        best = candidate;
      }
    }
    return best == null ? Optional.empty() : Optional.of(policies.get(best.index()));
  }

  /**
   * {@code sha256:<hex>} of the policy file's bytes and of the key and certificate files it names
   * (of the bytes alone when it names none).
   */
  public String revision() {
    return revision;
  }

  /** The key and certificate files the policy read: a change to any is a change to the policy. */
  public List<Path> files() {
    return files;
  }

  /** The file (or name) the policy was loaded from. */
  public String source() {
    return source;
  }

  /** The policies in file order. */
  public List<Policy> policies() {
    return policies;
  }

  /** The trust stores by name. */
  public Map<String, PolicyTrustStore> trustStores() {
    return trustStores;
  }

  /** The store named {@code name}; the loader guarantees every requirement's store exists. */
  public PolicyTrustStore trustStore(String name) {
    PolicyTrustStore store = trustStores.get(name);
    if (store == null) {
      throw new IllegalArgumentException("no trust store '" + name + "'");
    }
    return store;
  }
}
