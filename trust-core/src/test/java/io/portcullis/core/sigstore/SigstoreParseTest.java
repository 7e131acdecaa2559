package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Malformed bundles and trusted roots are refused with {@link SigstoreFormatException}. */
class SigstoreParseTest {
  private static final String MS = "\"messageSignature\":{\"signature\":\"AAAA\"}";
  private static final String KEY = "\"verificationMaterial\":{\"publicKey\":{\"hint\":\"k\"}}";
  private static final String V3 = "\"mediaType\":\"" + SigstoreBundle.MEDIA_TYPE_V03 + "\"";

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          not JSON                    | {                                                   | not valid JSON
          not an object               | []                                                  | not valid JSON
          no mediaType                | {KEY,MS}                                            | mediaType
          unknown mediaType           | {"mediaType":"application/json",KEY,MS}             | unsupported bundle mediaType
          no material                 | {V3,MS}                                             | verificationMaterial
          two kinds of material       | {V3,"verificationMaterial":{"publicKey":{},"certificate":{"rawBytes":"AA=="}},MS} | exactly one of certificate
          no content                  | {V3,KEY}                                            | exactly one of messageSignature
          both contents               | {V3,KEY,MS,"dsseEnvelope":{"payloadType":"t","payload":"","signatures":[]}} | exactly one of messageSignature
          certificate not DER         | {V3,"verificationMaterial":{"certificate":{"rawBytes":"AAAA"}},MS} | not a DER X.509
          signature not base64        | {V3,KEY,"messageSignature":{"signature":"!!"}}      | not base64
          tlogEntries not an array    | {V3,"verificationMaterial":{"publicKey":{},"tlogEntries":{}},MS} | not an array
          tlog entry without kind     | {V3,"verificationMaterial":{"publicKey":{},"tlogEntries":[{"logIndex":"1"}]},MS} | kindVersion
          logIndex not a number       | {V3,"verificationMaterial":{"publicKey":{},"tlogEntries":[{"logIndex":"x","logId":{"keyId":""},"kindVersion":{"kind":"k","version":"v"},"canonicalizedBody":""}]},MS} | logIndex
          DSSE without signatures     | {V3,KEY,"dsseEnvelope":{"payloadType":"t","payload":""}} | dsseEnvelope
          """)
  void malformedBundles(String name, String json, String fragment) {
    String doc = json.replace("KEY", KEY).replace("MS", MS).replace("V3", V3);
    SigstoreFormatException e =
        assertThrows(
            SigstoreFormatException.class,
            () -> SigstoreBundle.parse(doc.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void longListsAreRefusedBeforeDecoding() {
    String entry =
        "{\"logIndex\":\"1\",\"logId\":{\"keyId\":\"\"},\"kindVersion\":{\"kind\":\"k\","
            + "\"version\":\"v\"},\"canonicalizedBody\":\"\"}";
    String entries =
        String.join(",", java.util.Collections.nCopies(SigstoreBundle.MAX_LIST + 1, entry));
    String doc =
        "{"
            + V3
            + ",\"verificationMaterial\":{\"publicKey\":{},\"tlogEntries\":["
            + entries
            + "]},"
            + MS
            + "}";
    SigstoreFormatException e =
        assertThrows(
            SigstoreFormatException.class,
            () -> SigstoreBundle.parse(doc.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("at most 32"), e.getMessage());
    String hashes = String.join(",", java.util.Collections.nCopies(65, "\"AA==\""));
    String proof =
        "{"
            + V3
            + ",\"verificationMaterial\":{\"publicKey\":{},\"tlogEntries\":[{\"logIndex\":\"1\","
            + "\"logId\":{\"keyId\":\"\"},\"kindVersion\":{\"kind\":\"k\",\"version\":\"v\"},"
            + "\"canonicalizedBody\":\"\",\"inclusionProof\":{\"hashes\":["
            + hashes
            + "]}}]},"
            + MS
            + "}";
    e =
        assertThrows(
            SigstoreFormatException.class,
            () -> SigstoreBundle.parse(proof.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("at most 64"), e.getMessage());
  }

  @Test
  void oversizedBundleIsRefusedBeforeParsing() {
    byte[] big = new byte[SigstoreBundle.MAX_BYTES + 1];
    assertThrows(SigstoreFormatException.class, () -> SigstoreBundle.parse(big));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          not JSON                | [                                                            | not valid JSON
          wrong mediaType         | {"mediaType":"application/json"}                             | not a Sigstore trusted root
          tlogs not an array      | {"tlogs":{}}                                                 | not an array
          log key not base64      | {"tlogs":[{"publicKey":{"rawBytes":"!"}}]}                   | not base64
          log key not a key       | {"tlogs":[{"publicKey":{"rawBytes":"AAAA","validFor":{"start":"2021-01-01T00:00:00Z"}},"logId":{"keyId":"AA=="}}]} | tlogs
          CA without certificates | {"certificateAuthorities":[{"uri":"u","certChain":{"certificates":[]},"validFor":{"start":"2021-01-01T00:00:00Z"}}]} | has no certificates
          CA without validFor     | {"certificateAuthorities":[{"uri":"u","certChain":{"certificates":[]}}]} | validFor
          bad validFor time       | {"certificateAuthorities":[{"uri":"u","certChain":{"certificates":[]},"validFor":{"start":"yesterday"}}]} | RFC 3339
          """)
  void malformedRoots(String name, String json, String fragment) {
    SigstoreFormatException e =
        assertThrows(
            SigstoreFormatException.class,
            () -> TrustedRoot.parse(json.getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }

  @Test
  void everyBundleVersionParses() {
    for (String f :
        new String[] {
          "bundle.v1.sigstore", "bundle.v2.sigstore", "bundle.v3.sigstore", "bundle.v3_1.sigstore"
        }) {
      SigstoreBundle b = LogFixtures.bundle(f);
      assertEquals(1, b.tlogEntries().size(), f);
      assertTrue(b.messageSignature().isPresent(), f);
    }
    assertEquals("0.1", LogFixtures.bundle("bundle.v1.sigstore").version());
    assertEquals("0.3", LogFixtures.bundle("bundle.v3_1.sigstore").version());
  }
}
