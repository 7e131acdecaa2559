package io.portcullis.core.cosign;

/**
 * Annotation keys cosign sets on the layers of its signature and attestation manifests, per the <a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signature
 * spec</a> and cosign's {@code pkg/oci/static/signature.go}.
 */
public final class CosignAnnotations {
  private CosignAnnotations() {}

  /** Base64 signature over the layer's bytes; empty on attestation layers (DSSE signs inside). */
  public static final String SIGNATURE = "dev.cosignproject.cosign/signature";

  /** PEM signing certificate (keyless or private PKI). */
  public static final String CERTIFICATE = "dev.sigstore.cosign/certificate";

  /** PEM intermediates and root that issued {@link #CERTIFICATE}, newline-joined. */
  public static final String CHAIN = "dev.sigstore.cosign/chain";

  /** JSON Rekor bundle: SignedEntryTimestamp plus the log entry it covers. */
  public static final String BUNDLE = "dev.sigstore.cosign/bundle";

  /** On attestation layers: the in-toto predicate type of the statement inside. */
  public static final String PREDICATE_TYPE = "predicateType";
}
