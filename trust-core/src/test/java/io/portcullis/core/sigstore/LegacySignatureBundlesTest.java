package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.cosign.AttachmentLayer;
import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.x509.DevPki;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A legacy keyless {@code .sig} layer becomes the equivalent bundle: every annotation lands where
 * {@link BundleVerifier} checks it, and a malformed annotation is refused naming it.
 */
class LegacySignatureBundlesTest {
  private static final DevPki PKI = DevPki.generate();
  private static final byte[] PAYLOAD =
      SimpleSigningPayload.create(
              "registry.example/app",
              Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8)),
              Map.of())
          .raw();
  private static final byte[] SIGNATURE = {1, 2, 3, 4};
  private static final byte[] BODY =
      "{\"apiVersion\":\"0.0.1\",\"kind\":\"hashedrekord\",\"spec\":{}}"
          .getBytes(StandardCharsets.UTF_8);
  private static final String LOG_ID =
      "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d";

  static Map<String, String> annotations() {
    Map<String, String> a = new HashMap<>();
    a.put(CosignAnnotations.SIGNATURE, Base64.getEncoder().encodeToString(SIGNATURE));
    a.put(CosignAnnotations.CERTIFICATE, CertificatePem.encode(PKI.signer()));
    a.put(
        CosignAnnotations.CHAIN,
        CertificatePem.encode(PKI.intermediate()) + CertificatePem.encode(PKI.root()));
    a.put(
        CosignAnnotations.BUNDLE,
        "{\"SignedEntryTimestamp\":\"AQID\",\"Payload\":{\"body\":\""
            + Base64.getEncoder().encodeToString(BODY)
            + "\",\"integratedTime\":1700000000,\"logIndex\":42,\"logID\":\""
            + LOG_ID
            + "\"}}");
    a.put(
        LegacySignatureBundles.RFC3161_TIMESTAMP,
        "{\"SignedRFC3161Timestamp\":\""
            + Base64.getEncoder().encodeToString(new byte[] {9})
            + "\"}");
    return a;
  }

  static AttachmentLayer layer(Map<String, String> annotations) {
    return AttachmentLayer.create(SimpleSigningPayload.MEDIA_TYPE, PAYLOAD, annotations);
  }

  @Test
  void everyAnnotationLandsInTheBundle() {
    AttachmentLayer layer = layer(annotations());
    assertTrue(LegacySignatureBundles.carriesCertificate(layer));
    SigstoreBundle bundle = LegacySignatureBundles.toBundle(layer);
    assertEquals("0.1", bundle.version(), "a promise without a proof is a v0.1 bundle");
    assertFalse(bundle.keyBased());
    assertEquals(
        java.util.List.of(PKI.signer(), PKI.intermediate(), PKI.root()), bundle.certificates());
    MessageSignature message = bundle.messageSignature().orElseThrow();
    assertArrayEquals(SIGNATURE, message.signature());
    assertArrayEquals(
        HexFormat.of().parseHex(Digest.sha256(PAYLOAD).hex()), message.digest().orElseThrow());
    TlogEntry entry = bundle.tlogEntries().get(0);
    assertEquals(42, entry.logIndex());
    assertEquals(1700000000, entry.integratedTime());
    assertEquals("hashedrekord", entry.kind());
    assertEquals("0.0.1", entry.version());
    assertArrayEquals(BODY, entry.canonicalizedBody());
    assertArrayEquals(HexFormat.of().parseHex(LOG_ID), entry.logId());
    assertArrayEquals(new byte[] {1, 2, 3}, entry.signedEntryTimestamp().orElseThrow());
    assertArrayEquals(new byte[] {9}, bundle.rfc3161Timestamps().get(0));
  }

  @Test
  void aKeySignatureCarriesNoCertificate() {
    Map<String, String> a = annotations();
    a.remove(CosignAnnotations.CERTIFICATE);
    assertFalse(LegacySignatureBundles.carriesCertificate(layer(a)));
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of(CosignAnnotations.SIGNATURE, null, "no dev.cosignproject.cosign/signature"),
        Arguments.of(CosignAnnotations.SIGNATURE, "not base64!", "is not base64"),
        Arguments.of(
            CosignAnnotations.CERTIFICATE,
            CertificatePem.encode(PKI.signer()) + CertificatePem.encode(PKI.root()),
            "must hold exactly one certificate"),
        Arguments.of(CosignAnnotations.CHAIN, "-----BEGIN CERTIFICATE-----\nAAAA\n", "chain"),
        Arguments.of(CosignAnnotations.BUNDLE, "{}", "dev.sigstore.cosign/bundle"),
        Arguments.of(
            CosignAnnotations.BUNDLE,
            "{\"SignedEntryTimestamp\":\"AQID\",\"Payload\":{\"body\":\"e30=\",\"integratedTime\":1,"
                + "\"logIndex\":1,\"logID\":\"00\"}}",
            "names no kind and apiVersion"),
        Arguments.of(LegacySignatureBundles.RFC3161_TIMESTAMP, "{}", "no SignedRFC3161Timestamp"));
  }

  @ParameterizedTest(name = "{0} {2}")
  @MethodSource("malformed")
  void aMalformedAnnotationIsRefusedNamingIt(String key, String value, String message) {
    Map<String, String> a = annotations();
    if (value == null) {
      a.remove(key);
    } else {
      a.put(key, value);
    }
    SigstoreFormatException e =
        assertThrows(
            SigstoreFormatException.class, () -> LegacySignatureBundles.toBundle(layer(a)));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }
}
