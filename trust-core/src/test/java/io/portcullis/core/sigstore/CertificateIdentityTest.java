package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.sigstore.FulcioTestPki.Holder;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Identity matching over Fulcio-style leaves: issuer and SAN, exact and regexp, and extensions. */
class CertificateIdentityTest {
  private static final FulcioTestPki PKI = new FulcioTestPki();
  private static final String GH = "https://token.actions.githubusercontent.com";
  private static final String WORKFLOW =
      "https://github.com/myorg/app/.github/workflows/release.yml@refs/tags/v1.2.0";

  private static X509Certificate leaf(Holder holder) {
    return PKI.leaf(FulcioTestPki.ecKey().getPublic(), holder, FulcioTestPki.EPOCH);
  }

  private static CertificateIdentity exact(String issuer, String subject) {
    return new CertificateIdentity(issuer, null, subject, null, Map.of());
  }

  private static CertificateIdentity regexp(String issuer, String subjectRegExp) {
    return new CertificateIdentity(issuer, null, null, Pattern.compile(subjectRegExp), Map.of());
  }

  static Stream<Arguments> cases() {
    Holder ci =
        Holder.uri(WORKFLOW, GH)
            .withExtensions(
                Map.of(
                    "sourceRepositoryUri", "https://github.com/myorg/app",
                    "sourceRepositoryRef", "refs/tags/v1.2.0",
                    "githubWorkflowTrigger", "push"));
    return Stream.of(
        Arguments.of("exact URI SAN", Holder.uri(WORKFLOW, GH), exact(GH, WORKFLOW), null),
        Arguments.of(
            "regexp as cosign searches it (unanchored end)",
            Holder.uri(WORKFLOW, GH),
            regexp(
                GH,
                "^https://github\\.com/myorg/[^/]+/\\.github/workflows/release\\.yml@refs/tags/v"),
            null),
        Arguments.of(
            "regexp for another org",
            Holder.uri(
                "https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1", GH),
            regexp(GH, "^https://github\\.com/myorg/"),
            "certificate identity 'https://github.com/evil/app/.github/workflows/release.yml@refs/tags/v1'"
                + " does not match subjectRegExp '^https://github\\.com/myorg/'"),
        Arguments.of(
            "wrong issuer",
            Holder.uri(WORKFLOW, "https://accounts.google.com"),
            exact(GH, WORKFLOW),
            "certificate issuer 'https://accounts.google.com' does not match issuer '" + GH + "'"),
        Arguments.of(
            "issuer regexp",
            Holder.uri(WORKFLOW, GH),
            new CertificateIdentity(
                null, Pattern.compile("^https://token\\.actions\\."), WORKFLOW, null, Map.of()),
            null),
        Arguments.of(
            "legacy issuer extension 1.1 (raw bytes)",
            new Holder(
                new GeneralName(GeneralName.rfc822Name, "dev@example.com"),
                null,
                "https://accounts.google.com",
                Map.of()),
            exact("https://accounts.google.com", "dev@example.com"),
            null),
        Arguments.of(
            "issuer extensions 1.8 and 1.1 both present and equal",
            new Holder(
                new GeneralName(GeneralName.uniformResourceIdentifier, WORKFLOW), GH, GH, Map.of()),
            exact(GH, WORKFLOW),
            null),
        Arguments.of(
            "issuer extensions 1.8 and 1.1 disagree: neither is believed",
            new Holder(
                new GeneralName(GeneralName.uniformResourceIdentifier, WORKFLOW),
                GH,
                "https://evil.example",
                Map.of()),
            exact(GH, WORKFLOW),
            "certificate names two different OIDC issuers: '"
                + GH
                + "' (1.3.6.1.4.1.57264.1.8) and 'https://evil.example' (1.3.6.1.4.1.57264.1.1)"),
        Arguments.of(
            "an exact subject never matches a longer SAN that starts with it",
            Holder.uri(WORKFLOW + "-evil", GH),
            exact(GH, WORKFLOW),
            "certificate identity '"
                + WORKFLOW
                + "-evil' does not match subject '"
                + WORKFLOW
                + "'"),
        Arguments.of(
            "no issuer extension",
            new Holder(
                new GeneralName(GeneralName.rfc822Name, "dev@example.com"), null, null, Map.of()),
            exact("https://accounts.google.com", "dev@example.com"),
            "certificate names no OIDC issuer"),
        Arguments.of(
            "email SAN",
            Holder.email("dev@example.com", "https://accounts.google.com"),
            exact("https://accounts.google.com", "dev@example.com"),
            null),
        Arguments.of(
            "email SAN, another address",
            Holder.email("eve@example.com", "https://accounts.google.com"),
            exact("https://accounts.google.com", "dev@example.com"),
            "certificate identity 'eve@example.com' does not match subject 'dev@example.com'"),
        Arguments.of(
            "otherName SAN (Fulcio username)",
            new Holder(
                FulcioTestPki.otherName("alice!example.com"), "https://idp.test", null, Map.of()),
            exact("https://idp.test", "alice!example.com"),
            null),
        Arguments.of(
            "extensions all equal",
            ci,
            new CertificateIdentity(
                GH,
                null,
                WORKFLOW,
                null,
                Map.of("sourceRepositoryRef", "refs/tags/v1.2.0", "githubWorkflowTrigger", "push")),
            null),
        Arguments.of(
            "extension differs",
            ci,
            new CertificateIdentity(
                GH, null, WORKFLOW, null, Map.of("sourceRepositoryRef", "refs/heads/main")),
            "certificate sourceRepositoryRef 'refs/tags/v1.2.0', expected 'refs/heads/main'"),
        Arguments.of(
            "extension absent",
            ci,
            new CertificateIdentity(GH, null, WORKFLOW, null, Map.of("buildTrigger", "push")),
            "certificate buildTrigger is absent, expected 'push'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matches(String name, Holder holder, CertificateIdentity identity, String expected) {
    assertEquals(Optional.ofNullable(expected), identity.mismatch(leaf(holder)));
  }

  @Test
  void unknownExtensionNameIsRefusedUpFront() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new CertificateIdentity(GH, null, WORKFLOW, null, Map.of("workflowRef", "x")));
    assertTrue(e.getMessage().contains("githubWorkflowRef"), e.getMessage());
  }

  @Test
  void closestMismatchIsTheOneThatGotFurthest() {
    X509Certificate leaf = leaf(Holder.uri(WORKFLOW, GH));
    CertificateIdentity wrongIssuer = exact("https://accounts.google.com", WORKFLOW);
    CertificateIdentity wrongSubject = regexp(GH, "^https://github\\.com/other/");
    assertEquals(0, wrongIssuer.check(leaf).orElseThrow().matched());
    assertEquals(1, wrongSubject.check(leaf).orElseThrow().matched());
  }
}
