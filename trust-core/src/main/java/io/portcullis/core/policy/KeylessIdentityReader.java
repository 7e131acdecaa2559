package io.portcullis.core.policy;

import io.portcullis.core.sigstore.CertificateIdentity;
import io.portcullis.core.sigstore.FulcioExtensions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads the {@code identities} of a requirement or attestation rule that names a {@code sigstore}
 * store: each an issuer ({@code issuer} or {@code issuerRegExp}), a subject ({@code subject} or
 * {@code subjectRegExp}, the certificate's SAN) and optional Fulcio certificate extensions, named
 * as cosign's {@code --certificate-github-workflow-*} flags and the <a
 * href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio OID list</a> name
 * them. A keyless requirement without identities is refused: anyone can get a Fulcio certificate,
 * so "signed keyless" alone says nothing about who signed.
 */
final class KeylessIdentityReader {
  /** Why a keyless requirement must name identities; quoted by the loader and {@code lint}. */
  static final String ANYONE =
      "a sigstore store verifies keyless signatures, and anyone can get a Fulcio certificate"
          + " for their own identity; list the identities to trust, e.g. identities: [{issuer:"
          + " https://token.actions.githubusercontent.com, subjectRegExp:"
          + " '^https://github\\.com/myorg/'}]";

  /** The Fulcio extensions an identity may pin, by the names cosign gives them. */
  static final Set<String> EXTENSIONS = FulcioExtensions.OIDS.keySet();

  private static final Set<String> KEYS = keys();

  private KeylessIdentityReader() {}

  private static Set<String> keys() {
    Set<String> keys = new LinkedHashSet<>(List.of("issuer", "issuerRegExp", "subject"));
    keys.add("subjectRegExp");
    keys.addAll(EXTENSIONS);
    return Set.copyOf(keys);
  }

  /** The identities under {@code owner}'s {@code identities} key; at least one. */
  static List<CertificateIdentity> read(PolicyNode owner) {
    Optional<PolicyNode> node = owner.get("identities");
    if (node.isEmpty() || (node.get().raw().isArray() && node.get().raw().isEmpty())) {
      throw owner.child("identities").fail("is required; " + ANYONE);
    }
    String hint = "list identities such as {issuer: URL, subjectRegExp: PATTERN}";
    List<CertificateIdentity> out = new ArrayList<>();
    for (PolicyNode item : node.get().list(hint)) {
      item.object(KEYS);
      String issuer = text(item, "issuer");
      Pattern issuerRegExp = pattern(item, "issuerRegExp");
      String subject = text(item, "subject");
      Pattern subjectRegExp = pattern(item, "subjectRegExp");
      if ((issuer == null) == (issuerRegExp == null)) {
        throw item.fail(
            "give exactly one of issuer and issuerRegExp (the OIDC issuer, e.g."
                + " https://token.actions.githubusercontent.com)");
      }
      if ((subject == null) == (subjectRegExp == null)) {
        throw item.fail(
            "give exactly one of subject and subjectRegExp (the certificate's SAN, e.g. the"
                + " workflow URL or an email address)");
      }
      Map<String, String> extensions = new LinkedHashMap<>();
      for (String key : item.keys()) {
        if (EXTENSIONS.contains(key)) {
          extensions.put(key, text(item, key));
        }
      }
      out.add(new CertificateIdentity(issuer, issuerRegExp, subject, subjectRegExp, extensions));
    }
    return out;
  }

  private static String text(PolicyNode item, String key) {
    return item.get(key).map(PolicyNode::text).orElse(null);
  }

  private static Pattern pattern(PolicyNode item, String key) {
    Optional<PolicyNode> node = item.get(key);
    if (node.isEmpty()) {
      return null;
    }
    try {
      return Pattern.compile(node.get().text());
    } catch (PatternSyntaxException e) {
      throw node.get().fail("is not a valid regular expression: " + e.getDescription());
    }
  }
}
