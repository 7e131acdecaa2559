package io.portcullis.core.vet;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Recognises secrets in environment variables: by name ({@code *PASSWORD*}, {@code *SECRET*},
 * {@code *TOKEN*}, {@code *API_KEY*}) and by value, with the token formats the issuers document
 * (AWS access key ids, PEM private keys, GitHub {@code ghp_}/{@code github_pat_} and GitLab {@code
 * glpat-} tokens, JWTs). Only the kind of secret is ever returned.
 */
final class SecretPatterns {
  private SecretPatterns() {}

  private static final List<String> NAME_PARTS = List.of("PASSWORD", "SECRET", "TOKEN", "API_KEY");

  private record ValuePattern(String kind, Pattern pattern) {}

  private static final List<ValuePattern> VALUES =
      List.of(
          new ValuePattern(
              "value looks like an AWS access key id",
              Pattern.compile("\\b(?:AKIA|ASIA)[0-9A-Z]{16}\\b")),
          new ValuePattern(
              "value holds a private key",
              Pattern.compile("-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----")),
          new ValuePattern(
              "value looks like a GitHub token",
              Pattern.compile("\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})")),
          new ValuePattern(
              "value looks like a GitLab token", Pattern.compile("\\bglpat-[A-Za-z0-9_\\-]{20,}")),
          new ValuePattern(
              "value looks like a JWT",
              Pattern.compile(
                  "\\beyJ[A-Za-z0-9_\\-]{5,}\\.eyJ[A-Za-z0-9_\\-]{5,}\\.[A-Za-z0-9_\\-]*")));

  /** Why this variable looks like a secret, or empty. */
  static Optional<String> classify(String name, String value) {
    String upper = name.toUpperCase(Locale.ROOT);
    for (String part : NAME_PARTS) {
      if (upper.contains(part)) {
        return Optional.of("name contains " + part);
      }
    }
    for (ValuePattern p : VALUES) {
      if (p.pattern().matcher(value).find()) {
        return Optional.of(p.kind());
      }
    }
    return Optional.empty();
  }
}
