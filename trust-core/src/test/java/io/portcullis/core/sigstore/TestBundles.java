package io.portcullis.core.sigstore;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.InTotoStatement;
import io.portcullis.core.keys.Signer;
import io.portcullis.core.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.Base64;

/** Bundle JSON built in tests: key-based or with a certificate, message signature or DSSE. */
final class TestBundles {
  private TestBundles() {}

  static String keyHint() {
    return "{\"publicKey\":{\"hint\":\"test\"}}";
  }

  static String certificate(X509Certificate leaf) {
    return "{\"certificate\":" + FulcioTestPki.rawBytes(leaf) + "}";
  }

  /** A v0.3 bundle whose content is a message signature; {@code digest} may be null. */
  static SigstoreBundle messageSignature(String material, byte[] signature, byte[] digest) {
    String md =
        digest == null
            ? ""
            : "\"messageDigest\":{\"algorithm\":\"SHA2_256\",\"digest\":\"" + b64(digest) + "\"},";
    return parse(
        "{\"mediaType\":\""
            + SigstoreBundle.MEDIA_TYPE_V03
            + "\",\"verificationMaterial\":"
            + material
            + ",\"messageSignature\":{"
            + md
            + "\"signature\":\""
            + b64(signature)
            + "\"}}");
  }

  /** A v0.3 bundle whose content is {@code envelope}. */
  static SigstoreBundle dsse(String material, DsseEnvelope envelope) {
    String env = new String(envelope.toJson(), StandardCharsets.UTF_8);
    return parse(
        "{\"mediaType\":\""
            + SigstoreBundle.MEDIA_TYPE_V03
            + "\",\"verificationMaterial\":"
            + material
            + ",\"dsseEnvelope\":"
            + env
            + "}");
  }

  /** A cosign v3 image signature statement about {@code subject}, signed by {@code signer}. */
  static DsseEnvelope statement(Digest subject, String payloadType, Signer signer) {
    InTotoStatement s =
        InTotoStatement.about(
            "registry.test/app", subject, "https://sigstore.dev/cosign/sign/v1", null);
    return DsseEnvelope.sign(payloadType, s.toJson(), signer, "");
  }

  static SigstoreBundle parse(String json) {
    return SigstoreBundle.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }
}
