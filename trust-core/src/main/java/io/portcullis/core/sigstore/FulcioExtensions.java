package io.portcullis.core.sigstore;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.OtherName;

/**
 * Reads what a Fulcio certificate says about its holder, per the <a
 * href="https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md">Fulcio OID list</a>: the
 * OIDC issuer ({@code 1.3.6.1.4.1.57264.1.8}, a DER UTF8String, or the deprecated {@code .1.1}, raw
 * bytes), the subject alternative names of every type, and the CI extensions by the names cosign's
 * flags give them. The legacy GitHub extensions {@code .1.2}–{@code .1.6} hold raw bytes; {@code
 * .1.9} onwards hold a DER UTF8String.
 */
public final class FulcioExtensions {
  private static final String ARC = "1.3.6.1.4.1.57264.1.";
  private static final String ISSUER_V1 = ARC + "1";
  private static final String ISSUER_V2 = ARC + "8";

  /** Extension names (as {@link CertificateIdentity#extensions()} keys) and their OIDs. */
  public static final Map<String, String> OIDS = names();

  private FulcioExtensions() {}

  private static Map<String, String> names() {
    Map<String, String> m = new LinkedHashMap<>();
    String[] legacy = {
      "githubWorkflowTrigger",
      "githubWorkflowSha",
      "githubWorkflowName",
      "githubWorkflowRepository",
      "githubWorkflowRef"
    };
    for (int i = 0; i < legacy.length; i++) {
      m.put(legacy[i], ARC + (i + 2));
    }
    String[] current = {
      "buildSignerUri",
      "buildSignerDigest",
      "runnerEnvironment",
      "sourceRepositoryUri",
      "sourceRepositoryDigest",
      "sourceRepositoryRef",
      "sourceRepositoryIdentifier",
      "sourceRepositoryOwnerUri",
      "sourceRepositoryOwnerIdentifier",
      "buildConfigUri",
      "buildConfigDigest",
      "buildTrigger",
      "runInvocationUri",
      "sourceRepositoryVisibilityAtSigning"
    };
    for (int i = 0; i < current.length; i++) {
      m.put(current[i], ARC + (i + 9));
    }
    return Map.copyOf(m);
  }

  /**
   * The OIDC issuer the certificate was issued for, if it names one, and only one: see {@link
   * #issuerProblem}.
   */
  public static Optional<String> issuer(X509Certificate cert) {
    if (issuerProblem(cert).isPresent()) {
      return Optional.empty();
    }
    Optional<String> v2 = derString(cert, ISSUER_V2);
    return v2.isPresent() ? v2 : raw(cert, ISSUER_V1);
  }

  /**
   * Why the issuer cannot be believed, if it cannot: {@code .1.8} present but not a string, or
   * {@code .1.8} and {@code .1.1} naming different issuers. Fulcio writes both with one value;
   * cosign takes whichever comes last in the certificate, so a certificate that disagrees with
   * itself would mean different signers to different verifiers, and is refused instead.
   */
  public static Optional<String> issuerProblem(X509Certificate cert) {
    if (extensionValue(cert, ISSUER_V2).isEmpty()) {
      return Optional.empty();
    }
    Optional<String> v2 = derString(cert, ISSUER_V2);
    if (v2.isEmpty()) {
      return Optional.of("certificate's OIDC issuer extension " + ISSUER_V2 + " is not a string");
    }
    Optional<String> v1 = raw(cert, ISSUER_V1);
    if (v1.isPresent() && !v1.equals(v2)) {
      return Optional.of(
          "certificate names two different OIDC issuers: '"
              + v2.get()
              + "' ("
              + ISSUER_V2
              + ") and '"
              + v1.get()
              + "' ("
              + ISSUER_V1
              + ")");
    }
    return Optional.empty();
  }

  /** The value of the named extension (a key of {@link #OIDS}), if the certificate carries it. */
  public static Optional<String> extension(X509Certificate cert, String name) {
    String oid = OIDS.get(name);
    if (oid == null) {
      throw new IllegalArgumentException("unknown Fulcio extension " + name);
    }
    int arc = Integer.parseInt(oid.substring(ARC.length()));
    return arc <= 6 ? raw(cert, oid) : derString(cert, oid);
  }

  /**
   * Every subject alternative name as text: e-mail, DNS and URI names as written, an otherName
   * (Fulcio's {@code .1.7} username) by its string value. Unreadable names are left out.
   */
  public static List<String> subjectAlternativeNames(X509Certificate cert) {
    List<String> out = new ArrayList<>();
    Optional<byte[]> value = extensionValue(cert, Extension.subjectAlternativeName.getId());
    if (value.isEmpty()) {
      return out;
    }
    GeneralNames names;
    try {
      names = GeneralNames.getInstance(value.get());
    } catch (RuntimeException e) {
      return out;
    }
    for (GeneralName name : names.getNames()) {
      ASN1Encodable v = name.getName();
      if (name.getTagNo() == GeneralName.otherName) {
        v = otherNameValue(v);
      }
      if (v instanceof ASN1String s) {
        out.add(s.getString());
      }
    }
    return out;
  }

  private static ASN1Encodable otherNameValue(ASN1Encodable v) {
    try {
      ASN1Encodable inner = OtherName.getInstance(v).getValue();
      while (inner instanceof ASN1TaggedObject tagged) {
        inner = tagged.getBaseObject();
      }
      return inner;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Optional<String> raw(X509Certificate cert, String oid) {
    return extensionValue(cert, oid)
        .map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8));
  }

  private static Optional<String> derString(X509Certificate cert, String oid) {
    return extensionValue(cert, oid)
        .flatMap(
            b -> {
              try {
                return ASN1Primitive.fromByteArray(b) instanceof ASN1String s
                    ? Optional.of(s.getString())
                    : Optional.empty();
              } catch (java.io.IOException | RuntimeException e) {
                return Optional.empty();
              }
            });
  }

  /** The extension's {@code extnValue} contents (the JDK hands them wrapped in an OCTET STRING). */
  private static Optional<byte[]> extensionValue(X509Certificate cert, String oid) {
    byte[] wrapped = cert.getExtensionValue(oid);
    if (wrapped == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(ASN1OctetString.getInstance(wrapped).getOctets());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
