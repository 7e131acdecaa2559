package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.PemBlock;
import io.portcullis.core.keys.PublicKeyPem;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Entry bodies the fixtures lack (intoto 0.0.2, key-based hashedrekord 0.0.1 and 0.0.2), built here
 * in Rekor's shapes, and the kind checks: each is accepted only when it records exactly the
 * bundle's signature, digest and verification material.
 */
class RekorEntryBodiesTest {
  private static final byte[] SHA = new byte[32];
  private static final byte[] SIG = {1, 2, 3, 4};
  private static final PublicKey KEY = KeyAlgorithm.ECDSA_P256.generate().getPublic();
  private static final PublicKey OTHER_KEY = KeyAlgorithm.ECDSA_P256.generate().getPublic();

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  private static String pem(String label, byte[] der) {
    return b64(new PemBlock(label, der).encode().getBytes(StandardCharsets.UTF_8));
  }

  /** "ok" or the refusal's message. */
  private static String check(SigstoreBundle bundle, String kind, String version, Object body) {
    TlogEntry entry =
        new TlogEntry(
            1,
            new byte[32],
            kind,
            version,
            1,
            StrictJson.write(body),
            Optional.empty(),
            Optional.empty());
    try {
      TlogVerifier.requireBodyMatches(entry, bundle, SHA, bundle.keyBased() ? KEY : null);
      return "ok";
    } catch (SigstoreVerificationException e) {
      return e.getMessage();
    }
  }

  private static SigstoreBundle keyBundle() {
    return new SigstoreBundle(
        SigstoreBundle.MEDIA_TYPE_V03,
        List.of(),
        Optional.of(""),
        List.of(),
        List.of(),
        Optional.of(new MessageSignature(Optional.empty(), Optional.empty(), SIG)),
        Optional.empty());
  }

  private static Map<String, Object> hashedRekordV1(String hashHex, byte[] sig, String pemB64) {
    return Map.of(
        "apiVersion",
        "0.0.1",
        "kind",
        "hashedrekord",
        "spec",
        Map.of(
            "data",
            Map.of("hash", Map.of("algorithm", "sha256", "value", hashHex)),
            "signature",
            Map.of("content", b64(sig), "publicKey", Map.of("content", pemB64))));
  }

  private static Map<String, Object> hashedRekordV2(byte[] digest, Map<String, Object> verifier) {
    return Map.of(
        "apiVersion",
        "0.0.2",
        "kind",
        "hashedrekord",
        "spec",
        Map.of(
            "hashedRekordV002",
            Map.of(
                "data",
                Map.of("algorithm", "SHA2_256", "digest", b64(digest)),
                "signature",
                Map.of("content", b64(SIG), "verifier", verifier))));
  }

  @Test
  void keyBasedHashedRekordV1() {
    String hex = HexFormat.of().formatHex(SHA);
    String key = pem(PublicKeyPem.LABEL, KEY.getEncoded());
    assertEquals("ok", check(keyBundle(), "hashedrekord", "0.0.1", hashedRekordV1(hex, SIG, key)));
    assertEquals(
        "transparency log entry body records a different public key",
        check(
            keyBundle(),
            "hashedrekord",
            "0.0.1",
            hashedRekordV1(hex, SIG, pem(PublicKeyPem.LABEL, OTHER_KEY.getEncoded()))));
    assertEquals(
        "transparency log entry body records a different signature",
        check(keyBundle(), "hashedrekord", "0.0.1", hashedRekordV1(hex, new byte[] {9}, key)));
    assertEquals(
        "transparency log entry body records a different artifact digest",
        check(
            keyBundle(), "hashedrekord", "0.0.1", hashedRekordV1(hex.replace('0', '1'), SIG, key)));
    assertEquals(
        "transparency log entry body was logged with a certificate, not with the bundle's key",
        check(
            keyBundle(),
            "hashedrekord",
            "0.0.1",
            hashedRekordV1(hex, SIG, pem(CertificatePem.LABEL, KEY.getEncoded()))));
  }

  @Test
  void keyBasedHashedRekordV2() {
    Map<String, Object> key = Map.of("publicKey", Map.of("rawBytes", b64(KEY.getEncoded())));
    assertEquals("ok", check(keyBundle(), "hashedrekord", "0.0.2", hashedRekordV2(SHA, key)));
    assertEquals(
        "transparency log entry body records a different public key",
        check(
            keyBundle(),
            "hashedrekord",
            "0.0.2",
            hashedRekordV2(
                SHA, Map.of("publicKey", Map.of("rawBytes", b64(OTHER_KEY.getEncoded()))))));
    assertEquals(
        "transparency log entry body was logged with a certificate, not with the bundle's key",
        check(
            keyBundle(),
            "hashedrekord",
            "0.0.2",
            hashedRekordV2(
                SHA, Map.of("x509Certificate", Map.of("rawBytes", b64(KEY.getEncoded()))))));
  }

  @Test
  void theBodysKindMustBeTheBundlesAndFitTheContent() {
    String hex = HexFormat.of().formatHex(SHA);
    Map<String, Object> body = hashedRekordV1(hex, SIG, pem(PublicKeyPem.LABEL, KEY.getEncoded()));
    assertEquals(
        "transparency log entry body is hashedrekord 0.0.1 but the bundle says dsse 0.0.1",
        check(keyBundle(), "dsse", "0.0.1", body));
    SigstoreBundle dsse = LogFixtures.bundle("bundle.dsse.sigstore");
    assertEquals(
        "transparency log entry body kind hashedrekord:0.0.1 does not record a DSSE envelope",
        check(dsse, "hashedrekord", "0.0.1", body));
    assertEquals(
        "transparency log entry body kind rekord:0.0.1 does not record a message signature",
        check(
            keyBundle(),
            "rekord",
            "0.0.1",
            Map.of("apiVersion", "0.0.1", "kind", "rekord", "spec", Map.of())));
  }

  /** An intoto 0.0.2 body of the DSSE fixture's envelope and certificate. */
  private static Map<String, Object> intoto(
      DsseEnvelope envelope, X509Certificate cert, String sig, byte[] payload) throws Exception {
    return Map.of(
        "apiVersion",
        "0.0.2",
        "kind",
        "intoto",
        "spec",
        Map.of(
            "content",
            Map.of(
                "envelope",
                Map.of(
                    "payloadType",
                    envelope.payloadType(),
                    "signatures",
                    List.of(
                        Map.of(
                            "sig",
                            sig,
                            "publicKey",
                            pem(CertificatePem.LABEL, cert.getEncoded())))),
                "hash",
                Map.of("algorithm", "sha256", "value", "00"),
                "payloadHash",
                Map.of(
                    "algorithm",
                    "sha256",
                    "value",
                    HexFormat.of().formatHex(MerkleProofs.sha256().digest(payload))))));
  }

  @Test
  void intotoV2RecordsTheEnvelopeWithItsSignatureBase64EncodedTwice() throws Exception {
    SigstoreBundle bundle = LogFixtures.bundle("bundle.dsse.sigstore");
    DsseEnvelope envelope = bundle.dsseEnvelope().orElseThrow();
    X509Certificate cert = bundle.certificates().get(0);
    String once = b64(envelope.signatures().get(0).sig());
    String twice = b64(once.getBytes(StandardCharsets.US_ASCII));
    assertEquals(
        "ok", check(bundle, "intoto", "0.0.2", intoto(envelope, cert, twice, envelope.payload())));
    assertEquals(
        "transparency log entry body sig is not base64",
        check(bundle, "intoto", "0.0.2", intoto(envelope, cert, once, envelope.payload())));
    assertEquals(
        "transparency log entry body records a different payload hash",
        check(bundle, "intoto", "0.0.2", intoto(envelope, cert, twice, new byte[] {1})));
  }
}
