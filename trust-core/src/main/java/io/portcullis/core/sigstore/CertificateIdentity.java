package io.portcullis.core.sigstore;

import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One acceptable keyless signer: the OIDC issuer (exact or a regular expression, matched whole) and
 * the certificate's subject alternative name (any SAN type; exact or regular expression), plus
 * optional Fulcio certificate extensions that must equal the given values. Extensions are named as
 * cosign's {@code --certificate-github-workflow-*} flags name them: {@code githubWorkflowTrigger},
 * {@code githubWorkflowSha}, {@code githubWorkflowName}, {@code githubWorkflowRepository}, {@code
 * githubWorkflowRef}, and the newer {@code sourceRepositoryUri}, {@code sourceRepositoryRef},
 * {@code buildSignerUri}, {@code buildTrigger}, {@code runnerEnvironment} and the others of the <a
 * href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio OID list</a>.
 *
 * @param issuer the exact issuer, or null when {@code issuerRegExp} is given
 * @param issuerRegExp a pattern the whole issuer must match, or null
 * @param subject the exact SAN, or null when {@code subjectRegExp} is given
 * @param subjectRegExp a pattern some whole SAN must match, or null
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
  }

  /**
   * Why {@code leaf} does not match, in words a denial can quote ({@code certificate identity
   * 'https://github.com/evil/...' does not match subjectRegExp '^https://github\.com/myorg/'}), or
   * empty when it matches.
   */
  public Optional<String> mismatch(X509Certificate leaf) {
    throw new UnsupportedOperationException("issue 13: CertificateIdentity.mismatch");
  }

  @Override
  public String toString() {
    return (issuer != null ? "issuer " + issuer : "issuerRegExp " + issuerRegExp.pattern())
        + ", "
        + (subject != null ? "subject " + subject : "subjectRegExp " + subjectRegExp.pattern())
        + (extensions.isEmpty() ? "" : ", " + extensions);
  }
}
