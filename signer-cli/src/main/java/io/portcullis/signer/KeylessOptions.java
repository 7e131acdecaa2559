package io.portcullis.signer;

import io.portcullis.core.sigstore.CertificateIdentity;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Option;

/**
 * cosign's keyless identity flags: the certificate's SAN and OIDC issuer, exact or by regular
 * expression, and the GitHub workflow extensions Fulcio writes into CI certificates (named as
 * cosign's {@code --certificate-github-workflow-*} flags name them).
 */
final class KeylessOptions {
  @Option(
      names = "--certificate-identity",
      paramLabel = "SAN",
      description = "Keyless: the signing certificate's identity (SAN), exactly.")
  String identity;

  @Option(
      names = "--certificate-identity-regexp",
      paramLabel = "REGEX",
      description = "Keyless: a regular expression the certificate's identity (SAN) must match.")
  String identityRegexp;

  @Option(
      names = "--certificate-oidc-issuer",
      paramLabel = "URL",
      description = "Keyless: the OIDC issuer the certificate names, exactly.")
  String issuer;

  @Option(
      names = "--certificate-oidc-issuer-regexp",
      paramLabel = "REGEX",
      description = "Keyless: a regular expression the certificate's OIDC issuer must match.")
  String issuerRegexp;

  @Option(
      names = "--certificate-github-workflow-trigger",
      paramLabel = "EVENT",
      description = "Keyless: the GitHub workflow trigger the certificate must carry.")
  String workflowTrigger;

  @Option(
      names = "--certificate-github-workflow-sha",
      paramLabel = "SHA",
      description = "Keyless: the commit SHA the certificate must carry.")
  String workflowSha;

  @Option(
      names = "--certificate-github-workflow-name",
      paramLabel = "NAME",
      description = "Keyless: the workflow name the certificate must carry.")
  String workflowName;

  @Option(
      names = "--certificate-github-workflow-repository",
      paramLabel = "OWNER/REPO",
      description = "Keyless: the repository the certificate must carry.")
  String workflowRepository;

  @Option(
      names = "--certificate-github-workflow-ref",
      paramLabel = "REF",
      description = "Keyless: the git ref the certificate must carry, e.g. refs/tags/v1.")
  String workflowRef;

  /** Whether any keyless flag was given. */
  boolean given() {
    return identity != null
        || identityRegexp != null
        || issuer != null
        || issuerRegexp != null
        || !extensions().isEmpty();
  }

  /** The identity the flags describe; a usage error unless one SAN and one issuer flag is given. */
  CertificateIdentity identity() {
    if ((identity == null) == (identityRegexp == null)) {
      throw new UsageException(
          "keyless verification needs one of --certificate-identity and"
              + " --certificate-identity-regexp");
    }
    if ((issuer == null) == (issuerRegexp == null)) {
      throw new UsageException(
          "keyless verification needs one of --certificate-oidc-issuer and"
              + " --certificate-oidc-issuer-regexp");
    }
    return new CertificateIdentity(
        issuer,
        pattern(issuerRegexp, "--certificate-oidc-issuer-regexp"),
        identity,
        pattern(identityRegexp, "--certificate-identity-regexp"),
        extensions());
  }

  private Map<String, String> extensions() {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, "githubWorkflowTrigger", workflowTrigger);
    put(m, "githubWorkflowSha", workflowSha);
    put(m, "githubWorkflowName", workflowName);
    put(m, "githubWorkflowRepository", workflowRepository);
    put(m, "githubWorkflowRef", workflowRef);
    return m;
  }

  private static void put(Map<String, String> m, String name, String value) {
    if (value != null) {
      m.put(name, value);
    }
  }

  private static Pattern pattern(String regex, String option) {
    if (regex == null) {
      return null;
    }
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new UsageException(option + " is not a regular expression: " + e.getDescription());
    }
  }
}
