package io.portcullis.core.x509;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * A trusted identity of a trust policy: {@code *} (any signer that chains to the store) or {@code
 * x509.subject: C=US, ST=WA, O=Example, CN=Release}, which matches a signing certificate whose
 * subject holds every listed RDN with an equal value.
 *
 * <p>Implements the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trusted-identities-constraints">trusted
 * identities constraints</a>, including the escapes {@code \,}, {@code \;} and {@code \\} and the
 * required C, ST and O attributes.
 */
public record TrustedIdentity(Map<String, String> attributes) {
  private static final String PREFIX = "x509.subject:";

  public TrustedIdentity {
    attributes = attributes == null ? null : Map.copyOf(attributes);
  }

  /** The wildcard identity {@code *}. */
  public static TrustedIdentity any() {
    return new TrustedIdentity(null);
  }

  /** True for the wildcard {@code *}. */
  public boolean isAny() {
    return attributes == null;
  }

  /** Parses {@code *} or {@code x509.subject: <RDNs>}; throws with the reason when malformed. */
  public static TrustedIdentity parse(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("trusted identity is empty");
    }
    String trimmed = value.strip();
    if (trimmed.equals("*")) {
      return any();
    }
    if (!trimmed.startsWith(PREFIX)) {
      throw new IllegalArgumentException(
          "trusted identity '" + value + "' must be '*' or start with 'x509.subject:'");
    }
    String dn = trimmed.substring(PREFIX.length()).strip();
    Map<String, String> attrs = parseDn(dn, value);
    for (String required : List.of("C", "ST", "O")) {
      if (!attrs.containsKey(required)) {
        throw new IllegalArgumentException(
            "trusted identity '" + value + "' must name C, ST and O (missing " + required + ")");
      }
    }
    return new TrustedIdentity(attrs);
  }

  /** True when this identity admits the signing certificate {@code leaf}. */
  public boolean matches(X509Certificate leaf) {
    if (isAny()) {
      return true;
    }
    Map<String, String> subject;
    try {
      subject =
          parseDn(
              leaf.getSubjectX500Principal()
                  .getName(X500Principal.RFC2253, Map.of("1.2.840.113549.1.9.1", "EMAILADDRESS")),
              "subject");
    } catch (IllegalArgumentException e) {
      // a subject we cannot read unambiguously (e.g. a repeated attribute) is never trusted
      return false;
    }
    return attributes.entrySet().stream()
        .allMatch(e -> e.getValue().equals(subject.get(e.getKey())));
  }

  /** True when some identity in {@code identities} admits {@code leaf}. */
  public static boolean anyMatches(List<TrustedIdentity> identities, X509Certificate leaf) {
    return identities.stream().anyMatch(id -> id.matches(leaf));
  }

  @Override
  public String toString() {
    if (isAny()) {
      return "*";
    }
    List<String> parts = new ArrayList<>();
    attributes.forEach((k, v) -> parts.add(k + "=" + Rdn.escapeValue(v)));
    return PREFIX + " " + String.join(", ", parts);
  }

  private static Map<String, String> parseDn(String dn, String source) {
    if (dn.isEmpty()) {
      throw new IllegalArgumentException("trusted identity '" + source + "' names no attribute");
    }
    LdapName name;
    try {
      name = new LdapName(dn);
    } catch (InvalidNameException e) {
      throw new IllegalArgumentException(
          "trusted identity '" + source + "' is not a distinguished name: " + e.getMessage());
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Rdn rdn : name.getRdns()) {
      if (rdn.size() != 1) {
        throw new IllegalArgumentException(
            "trusted identity '" + source + "' uses a multi-valued RDN, which is not supported");
      }
      String type = canonicalType(rdn.getType());
      // A certificate may carry binary-valued attributes (rendered #hex); they can never equal
      // a text value from a policy, so they are kept as their rendering and simply not matched.
      String text =
          rdn.getValue() instanceof String s ? s : Rdn.escapeValue(rdn.getValue()).toString();
      if (out.put(type, text) != null) {
        throw new IllegalArgumentException(
            "trusted identity '" + source + "' names " + type + " more than once");
      }
    }
    return out;
  }

  // The JDK renders some attributes by OID or long name; align them with the short forms users
  // write.
  private static String canonicalType(String type) {
    String upper = type.toUpperCase(Locale.ROOT);
    return switch (upper) {
      case "2.5.4.6", "COUNTRYNAME" -> "C";
      case "2.5.4.8", "S", "STATEORPROVINCENAME" -> "ST";
      case "2.5.4.7", "LOCALITYNAME" -> "L";
      case "2.5.4.10", "ORGANIZATIONNAME" -> "O";
      case "2.5.4.11", "ORGANIZATIONALUNITNAME" -> "OU";
      case "2.5.4.3", "COMMONNAME" -> "CN";
      case "1.2.840.113549.1.9.1", "EMAILADDRESS", "E" -> "EMAILADDRESS";
      default -> upper;
    };
  }
}
