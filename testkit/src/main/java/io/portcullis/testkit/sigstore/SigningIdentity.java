package io.portcullis.testkit.sigstore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Who a Fulcio-style certificate is issued to: the OIDC issuer, the subject alternative name (a URI
 * such as a GitHub workflow, or an email address) and the <a
 * href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio extensions</a> of CI
 * identities, keyed by OID.
 *
 * @param issuer the OIDC issuer URL
 * @param san the SAN value
 * @param email whether the SAN is an rfc822Name rather than a URI
 * @param extensions OID (e.g. {@link FulcioOids#SOURCE_REPOSITORY_URI}) → value, in the order
 *     written; the issuer extensions are added from {@code issuer}
 */
public record SigningIdentity(
    String issuer, String san, boolean email, Map<String, String> extensions) {

  /** GitHub Actions' OIDC issuer. */
  public static final String GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

  public SigningIdentity {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(san, "san");
    extensions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
  }

  /** A person's identity: an email SAN from {@code issuer}. */
  public static SigningIdentity email(String address, String issuer) {
    return new SigningIdentity(issuer, address, true, Map.of());
  }

  /**
   * A GitHub Actions workflow identity as Fulcio issues it: SAN {@code
   * https://github.com/<repo>/<workflowPath>@<ref>}, with the legacy (.1.2–.1.6) and current
   * (.1.9–.1.22) extensions a {@code push} run carries.
   *
   * @param repository {@code owner/name}
   * @param workflowPath e.g. {@code .github/workflows/release.yml}
   * @param ref e.g. {@code refs/tags/v1.0.0}
   */
  public static SigningIdentity githubWorkflow(String repository, String workflowPath, String ref) {
    String repoUri = "https://github.com/" + repository;
    String workflowUri = repoUri + "/" + workflowPath + "@" + ref;
    String sha = "0123456789abcdef0123456789abcdef01234567";
    String owner = repository.substring(0, Math.max(0, repository.indexOf('/')));
    Map<String, String> ext = new LinkedHashMap<>();
    ext.put(FulcioOids.GITHUB_WORKFLOW_TRIGGER, "push");
    ext.put(FulcioOids.GITHUB_WORKFLOW_SHA, sha);
    ext.put(FulcioOids.GITHUB_WORKFLOW_NAME, "release");
    ext.put(FulcioOids.GITHUB_WORKFLOW_REPOSITORY, repository);
    ext.put(FulcioOids.GITHUB_WORKFLOW_REF, ref);
    ext.put(FulcioOids.BUILD_SIGNER_URI, workflowUri);
    ext.put(FulcioOids.BUILD_SIGNER_DIGEST, sha);
    ext.put(FulcioOids.RUNNER_ENVIRONMENT, "github-hosted");
    ext.put(FulcioOids.SOURCE_REPOSITORY_URI, repoUri);
    ext.put(FulcioOids.SOURCE_REPOSITORY_DIGEST, sha);
    ext.put(FulcioOids.SOURCE_REPOSITORY_REF, ref);
    ext.put(FulcioOids.SOURCE_REPOSITORY_IDENTIFIER, "100001");
    ext.put(FulcioOids.SOURCE_REPOSITORY_OWNER_URI, "https://github.com/" + owner);
    ext.put(FulcioOids.SOURCE_REPOSITORY_OWNER_IDENTIFIER, "200002");
    ext.put(FulcioOids.BUILD_CONFIG_URI, workflowUri);
    ext.put(FulcioOids.BUILD_CONFIG_DIGEST, sha);
    ext.put(FulcioOids.BUILD_TRIGGER, "push");
    ext.put(FulcioOids.RUN_INVOCATION_URI, repoUri + "/actions/runs/1/attempts/1");
    ext.put(FulcioOids.SOURCE_REPOSITORY_VISIBILITY, "public");
    return new SigningIdentity(GITHUB_ISSUER, workflowUri, false, ext);
  }

  /** This identity with another SAN (the same type). */
  public SigningIdentity withSan(String other) {
    return new SigningIdentity(issuer, other, email, extensions);
  }

  /** This identity from another OIDC issuer. */
  public SigningIdentity withIssuer(String other) {
    return new SigningIdentity(other, san, email, extensions);
  }

  /** This identity with one extension set (or replaced). */
  public SigningIdentity withExtension(String oid, String value) {
    Map<String, String> ext = new LinkedHashMap<>(extensions);
    ext.put(oid, value);
    return new SigningIdentity(issuer, san, email, ext);
  }
}
