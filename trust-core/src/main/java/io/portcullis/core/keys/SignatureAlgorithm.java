package io.portcullis.core.keys;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Signature schemes the verifiers and signers support, after the key details sigstore names in its
 * <a href="https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_common.proto">
 * PublicKeyDetails</a>. ECDSA signatures are ASN.1 DER, as cosign writes them.
 */
public enum SignatureAlgorithm {
  ECDSA_P256_SHA256,
  ECDSA_P384_SHA384,
  RSA_PKCS1V15_SHA256,
  RSA_PKCS1V15_SHA384,
  RSA_PKCS1V15_SHA512,
  RSA_PSS_SHA256,
  RSA_PSS_SHA384,
  RSA_PSS_SHA512,
  ED25519;

  /** The list quoted when a key or algorithm is refused, so the message says what would work. */
  public static String supportedList() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }
}
