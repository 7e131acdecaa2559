package io.portcullis.core.policy;

/**
 * A named entry of the policy's {@code trustStores}, loaded and checked when the policy is loaded,
 * so a bad key or certificate is a policy error rather than a failed verification later.
 */
public sealed interface PolicyTrustStore
    permits CosignTrustStore, X509TrustStore, SigstoreTrustStore, NotaryTrustStore {
  /** The name policies refer to it by. */
  String name();

  /** The signature type whose requirements may use this store. */
  SignatureType serves();

  /**
   * The type as written in the policy file ({@code cosign}, {@code x509}, {@code sigstore} or
   * {@code notary-v1}).
   */
  String typeName();
}
