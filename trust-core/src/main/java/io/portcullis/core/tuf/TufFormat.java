package io.portcullis.core.tuf;

import io.portcullis.core.keys.SignatureAlgorithm;
import io.portcullis.core.keys.SignatureVerifier;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;

/**
 * How one family of TUF repositories writes its metadata. The client workflow is the same for all
 * of them; what differs is spelled out here, so that one client reads both Sigstore's TUF
 * repository (securesystemslib's conventions) and a Notary v1 server (Docker Content Trust).
 *
 * <p>Notary v1 (<a href="https://github.com/notaryproject/notary/blob/master/docs/spec.md">notary
 * TUF</a>, {@code tuf/data} and {@code tuf/signed} of notary 0.7) differs in: {@code _type} is
 * capitalised ({@code Root}, {@code Targets}, ...), metadata listed in {@code meta} is named by
 * role ({@code snapshot}, {@code targets/releases}) not by file, signatures are base64 with a
 * {@code method} ({@code ecdsa}: raw {@code r||s} or DER, {@code eddsa}, {@code rsapss}), key ids
 * are the SHA-256 of the key's canonical JSON, delegated roles are named under their delegator
 * ({@code targets/releases}) and their paths are prefixes, not patterns.
 *
 * @param canonicalizer the byte form signatures cover
 * @param keyTypes the key types understood
 */
public record TufFormat(Dialect dialect, Canonicalizer canonicalizer, TufKeyTypes keyTypes) {
  /** The conventions a repository follows. */
  public enum Dialect {
    /** The TUF specification as securesystemslib and python-tuf write it. */
    TUF,
    /** Notary v1, the server behind Docker Content Trust. */
    NOTARY
  }

  /** The TUF specification's conventions with the standard key types. */
  public static final TufFormat TUF =
      new TufFormat(Dialect.TUF, CanonicalJson.INSTANCE, TufKeyTypes.standard());

  public TufFormat {
    Objects.requireNonNull(dialect, "dialect");
    Objects.requireNonNull(canonicalizer, "canonicalizer");
    Objects.requireNonNull(keyTypes, "keyTypes");
  }

  /** Notary v1's conventions, with its canonical JSON and the given key types. */
  public static TufFormat notary(TufKeyTypes keyTypes) {
    return new TufFormat(Dialect.NOTARY, CanonicalJson.NOTARY, keyTypes);
  }

  /** The {@code _type} a role's metadata must carry (delegated roles carry their kind's). */
  public String typeName(String kind) {
    return switch (dialect) {
      case TUF -> kind;
      case NOTARY -> kind.substring(0, 1).toUpperCase(Locale.ROOT) + kind.substring(1);
    };
  }

  /** The name under which a timestamp or snapshot's {@code meta} lists a role's metadata. */
  public String metaName(String role) {
    return switch (dialect) {
      case TUF -> role + ".json";
      case NOTARY -> role;
    };
  }

  /**
   * The bytes the key's verifier takes for {@code signature}, or null when the entry cannot count
   * for this key (not decodable, or a {@code method} that does not suit the key).
   */
  public byte[] signatureBytes(SignedMetadata.Signature signature, SignatureVerifier key) {
    return switch (dialect) {
      case TUF -> hex(signature.sig());
      case NOTARY -> notarySignature(signature, key);
    };
  }

  /**
   * Whether a delegated role's name is acceptable under its delegator's: TUF wants a plain file
   * name that is no top-level role's; Notary wants the delegator's name, a slash and one segment
   * ({@code targets/releases} under {@code targets}).
   */
  public boolean validDelegatedName(String delegator, String name) {
    return switch (dialect) {
      case TUF ->
          !name.isEmpty()
              && !name.contains("/")
              && !name.contains("\\")
              && !name.startsWith(".")
              && !RootMetadata.ROLES.contains(name);
      case NOTARY -> {
        String prefix = delegator + "/";
        String segment = name.startsWith(prefix) ? name.substring(prefix.length()) : "";
        yield !segment.isEmpty()
            && !segment.contains("/")
            && !segment.contains("\\")
            && !segment.equals(".")
            && !segment.equals("..");
      }
    };
  }

  /** Whether a delegation path entry covers {@code target}. */
  public boolean pathCovers(String path, String target) {
    return switch (dialect) {
      case TUF -> DelegatedRole.matches(path, target);
      // notary's DelegationRole.CheckPaths: a plain prefix, so "" covers every target
      case NOTARY -> target.startsWith(path);
    };
  }

  /**
   * Whether searching below {@code child} can reach the role {@code wanted}. Notary names a role
   * under its delegator, so only the ancestors of a name need be visited; TUF names say nothing.
   */
  public boolean mayLeadTo(String child, String wanted) {
    return switch (dialect) {
      case TUF -> true;
      case NOTARY -> wanted.equals(child) || wanted.startsWith(child + "/");
    };
  }

  private static byte[] hex(String sig) {
    try {
      byte[] bytes = HexFormat.of().parseHex(sig);
      return bytes.length == 0 ? null : bytes;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Notary's verifiers by method ({@code tuf/signed/verifiers.go}); each suits one key kind. */
  private static byte[] notarySignature(SignedMetadata.Signature signature, SignatureVerifier key) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(signature.sig());
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (bytes.length == 0) {
      return null;
    }
    // notary lower-cases the method when it reads it
    String method = signature.method().toLowerCase(Locale.ROOT);
    SignatureAlgorithm algorithm = key.algorithm();
    return switch (method) {
      case "ecdsa" -> algorithm == SignatureAlgorithm.ECDSA_P256_SHA256 ? ecdsaDer(bytes) : null;
      case "eddsa" -> algorithm == SignatureAlgorithm.ED25519 ? bytes : null;
      // notary signs RSA with PSS only; "rsapkcs1v15", which it can read, no signer writes
      case "rsapss" -> algorithm == SignatureAlgorithm.RSA_PSS_SHA256 ? bytes : null;
      default -> null;
    };
  }

  /**
   * Notary's ECDSA signatures are the raw {@code r||s} of 2 × 32 bytes (P-256); later versions also
   * accept ASN.1 DER, which is passed through to the strict DER verifier unchanged.
   */
  private static byte[] ecdsaDer(byte[] sig) {
    if (sig.length != 64) {
      return sig;
    }
    BigInteger r = new BigInteger(1, Arrays.copyOfRange(sig, 0, 32));
    BigInteger s = new BigInteger(1, Arrays.copyOfRange(sig, 32, 64));
    try {
      return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)})
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      return null;
    }
  }
}
