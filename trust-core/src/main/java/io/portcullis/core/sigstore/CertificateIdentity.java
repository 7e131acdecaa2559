package io.portcullis.core.sigstore;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One acceptable keyless signer: the OIDC issuer (exact or a regular expression) and the
 * certificate's subject alternative name (any SAN type; exact or regular expression), plus optional
 * Fulcio certificate extensions that must equal the given values. Extensions are named as cosign's
 * {@code --certificate-github-workflow-*} flags name them: {@code githubWorkflowTrigger}, {@code
 * githubWorkflowSha}, {@code githubWorkflowName}, {@code githubWorkflowRepository}, {@code
 * githubWorkflowRef}, and the newer {@code sourceRepositoryUri}, {@code sourceRepositoryRef},
 * {@code buildSignerUri}, {@code buildTrigger}, {@code runnerEnvironment} and the others of the <a
 * href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio OID list</a> (see
 * {@link FulcioExtensions#OIDS}).
 *
 * <p>Regular expressions are searched for, not matched whole, exactly as cosign's {@code
 * --certificate-identity-regexp} (Go's {@code regexp.MatchString}) does, so a policy written for
 * cosign means the same here: anchor with {@code ^...$} to pin the whole value.
 *
 * @param issuer the exact issuer, or null when {@code issuerRegExp} is given
 * @param issuerRegExp a pattern found in the issuer, or null
 * @param subject the exact SAN, or null when {@code subjectRegExp} is given
 * @param subjectRegExp a pattern found in some SAN, or null
 * @param extensions extension name → required value
 */
public record CertificateIdentity(
    String issuer,
    Pattern issuerRegExp,
    String subject,
    Pattern subjectRegExp,
    Map<String, String> extensions) {

  public CertificateIdentity {
    if ((issuer == null) == (issuerRegExp == null)) {
      throw new IllegalArgumentException(
          "an identity needs exactly one of issuer and issuerRegExp");
    }
    if ((subject == null) == (subjectRegExp == null)) {
      throw new IllegalArgumentException(
          "an identity needs exactly one of subject and subjectRegExp");
    }
    extensions = Map.copyOf(Objects.requireNonNull(extensions, "extensions"));
    for (String name : extensions.keySet()) {
      if (!FulcioExtensions.OIDS.containsKey(name)) {
        throw new IllegalArgumentException(
            "unknown certificate extension '"
                + name
                + "'; known: "
                + new TreeSet<>(FulcioExtensions.OIDS.keySet()));
      }
    }
  }

  /**
   * A mismatch and how far matching got (issuer 0, subject 1, extensions 2), to pick the closest.
   */
  record Mismatch(int matched, String message) {}

  /**
   * Why {@code leaf} does not match, in words a denial can quote ({@code certificate identity
   * 'https://github.com/evil/...' does not match subjectRegExp '^https://github\.com/myorg/'}), or
   * empty when it matches.
   */
  public Optional<String> mismatch(X509Certificate leaf) {
    return check(leaf).map(Mismatch::message);
  }

  Optional<Mismatch> check(X509Certificate leaf) {
    Optional<String> certIssuer = FulcioExtensions.issuer(leaf);
    if (certIssuer.isEmpty()) {
      return Optional.of(
          new Mismatch(
              0, FulcioExtensions.issuerProblem(leaf).orElse("certificate names no OIDC issuer")));
    }
    String is = certIssuer.get();
    if (issuer != null ? !issuer.equals(is) : !issuerRegExp.matcher(is).find()) {
      return Optional.of(
          new Mismatch(
              0,
              "certificate issuer '"
                  + is
                  + "' does not match "
                  + (issuer != null ? "issuer '" + issuer : "issuerRegExp '" + issuerRegExp)
                  + "'"));
    }
    List<String> sans = FulcioExtensions.subjectAlternativeNames(leaf);
    boolean subjectMatches =
        sans.stream()
            .anyMatch(
                san -> subject != null ? subject.equals(san) : subjectRegExp.matcher(san).find());
    if (!subjectMatches) {
      return Optional.of(
          new Mismatch(
              1,
              "certificate identity "
                  + (sans.isEmpty()
                      ? "(none)"
                      : sans.stream().map(x -> "'" + x + "'").collect(Collectors.joining(", ")))
                  + " does not match "
                  + (subject != null ? "subject '" + subject : "subjectRegExp '" + subjectRegExp)
                  + "'"));
    }
    for (Map.Entry<String, String> e : new TreeMap<>(extensions).entrySet()) {
      Optional<String> actual = FulcioExtensions.extension(leaf, e.getKey());
      if (!actual.equals(Optional.of(e.getValue()))) {
        return Optional.of(
            new Mismatch(
                2,
                "certificate "
                    + e.getKey()
                    + (actual.isEmpty() ? " is absent" : " '" + actual.get() + "'")
                    + ", expected '"
                    + e.getValue()
                    + "'"));
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return (issuer != null ? "issuer " + issuer : "issuerRegExp " + issuerRegExp.pattern())
        + ", "
        + (subject != null ? "subject " + subject : "subjectRegExp " + subjectRegExp.pattern())
        + (extensions.isEmpty() ? "" : ", " + extensions);
  }
}
