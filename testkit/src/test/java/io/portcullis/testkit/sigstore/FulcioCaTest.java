package io.portcullis.testkit.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.Test;

class FulcioCaTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final PrivateSigstore SIGSTORE =
      PrivateSigstore.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
  private static final SigningIdentity GITHUB =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");

  @Test
  void leafIsATenMinuteCodeSigningCertificateWithTheFulcioExtensions() throws Exception {
    X509Certificate leaf = SIGSTORE.issue(GITHUB).leaf();
    assertEquals(NOW, leaf.getNotBefore().toInstant());
    assertEquals(NOW.plus(Duration.ofMinutes(10)), leaf.getNotAfter().toInstant());
    assertEquals(List.of("1.3.6.1.5.5.7.3.3"), leaf.getExtendedKeyUsage());
    assertTrue(leaf.getCriticalExtensionOIDs().contains("2.5.29.17"), "SAN is critical");
    List<?> san = leaf.getSubjectAlternativeNames().iterator().next();
    assertEquals(6, san.get(0), "a URI SAN");
    assertEquals(
        "https://github.com/myorg/app/.github/workflows/release.yml@refs/tags/v1", san.get(1));
    // .1.1 and .1.2-.1.6 hold the raw string, .1.8 on a DER UTF8String
    assertEquals(SigningIdentity.GITHUB_ISSUER, raw(leaf, FulcioOids.ISSUER_V1));
    assertEquals("push", raw(leaf, FulcioOids.GITHUB_WORKFLOW_TRIGGER));
    assertEquals(SigningIdentity.GITHUB_ISSUER, utf8(leaf, FulcioOids.ISSUER_V2));
    assertEquals("https://github.com/myorg/app", utf8(leaf, FulcioOids.SOURCE_REPOSITORY_URI));
    assertEquals("refs/tags/v1", utf8(leaf, FulcioOids.SOURCE_REPOSITORY_REF));
    assertEquals("push", utf8(leaf, FulcioOids.BUILD_TRIGGER));
    assertNull(leaf.getExtensionValue(FulcioOids.CT_POISON), "no poison in the final certificate");
    leaf.verify(SIGSTORE.ca().intermediate().getPublicKey());
    SIGSTORE.ca().intermediate().verify(SIGSTORE.ca().root().getPublicKey());
  }

  @Test
  void emailIdentityHasAnRfc822San() throws Exception {
    X509Certificate leaf =
        SIGSTORE
            .issue(SigningIdentity.email("dev@example.test", "https://accounts.example.test"))
            .leaf();
    List<?> san = leaf.getSubjectAlternativeNames().iterator().next();
    assertEquals(1, san.get(0));
    assertEquals("dev@example.test", san.get(1));
  }

  @Test
  void embeddedSctVerifiesOverThePrecertificateUnderTheCtLogKey() throws Exception {
    X509Certificate leaf = SIGSTORE.issue(GITHUB).leaf();
    Sct sct = Sct.of(leaf);
    assertEquals(0, sct.version);
    assertArrayEquals(SIGSTORE.ctLog().logId(), sct.logId);
    assertEquals(NOW.toEpochMilli(), sct.timestamp);
    assertTrue(sct.verifies(leaf, SIGSTORE.ca().intermediate(), SIGSTORE.ctLog().publicKey()));
  }

  @Test
  void sctFaultsDoNotVerify() throws Exception {
    for (FulcioCa.SctMode mode : List.of(FulcioCa.SctMode.WRONG_KEY, FulcioCa.SctMode.FLIPPED)) {
      X509Certificate leaf = SIGSTORE.issue(GITHUB, NOW, SIGSTORE.ca(), mode).leaf();
      Sct sct = Sct.of(leaf);
      assertArrayEquals(SIGSTORE.ctLog().logId(), sct.logId, mode + " still names the log");
      assertFalse(
          sct.verifies(leaf, SIGSTORE.ca().intermediate(), SIGSTORE.ctLog().publicKey()),
          mode.toString());
    }
    X509Certificate none = SIGSTORE.issue(GITHUB, NOW, SIGSTORE.ca(), FulcioCa.SctMode.NONE).leaf();
    assertNull(none.getExtensionValue(FulcioOids.CT_SCT_LIST));
  }

  private static String raw(X509Certificate c, String oid) {
    return new String(octets(c, oid), StandardCharsets.UTF_8);
  }

  private static String utf8(X509Certificate c, String oid) throws Exception {
    return DERUTF8String.getInstance(ASN1Primitive.fromByteArray(octets(c, oid))).getString();
  }

  private static byte[] octets(X509Certificate c, String oid) {
    return ASN1OctetString.getInstance(c.getExtensionValue(oid)).getOctets();
  }

  /** An RFC 6962 SCT parsed from the certificate's SCT list, by hand. */
  static final class Sct {
    int version;
    byte[] logId = new byte[32];
    long timestamp;
    byte[] extensions;
    int hashAlg;
    int sigAlg;
    byte[] signature;

    static Sct of(X509Certificate leaf) throws Exception {
      byte[] tls =
          ASN1OctetString.getInstance(
                  ASN1Primitive.fromByteArray(
                      ASN1OctetString.getInstance(leaf.getExtensionValue(FulcioOids.CT_SCT_LIST))
                          .getOctets()))
              .getOctets();
      ByteBuffer in = ByteBuffer.wrap(tls);
      int listLength = in.getShort() & 0xffff;
      assertEquals(tls.length - 2, listLength);
      int sctLength = in.getShort() & 0xffff;
      assertEquals(listLength - 2, sctLength, "one SCT");
      Sct s = new Sct();
      s.version = in.get();
      in.get(s.logId);
      s.timestamp = in.getLong();
      s.extensions = new byte[in.getShort() & 0xffff];
      in.get(s.extensions);
      s.hashAlg = in.get();
      s.sigAlg = in.get();
      s.signature = new byte[in.getShort() & 0xffff];
      in.get(s.signature);
      assertFalse(in.hasRemaining());
      assertEquals(4, s.hashAlg, "sha256");
      assertEquals(3, s.sigAlg, "ecdsa");
      return s;
    }

    boolean verifies(X509Certificate leaf, X509Certificate issuer, PublicKey logKey)
        throws Exception {
      byte[] tbs =
          FulcioCa.withoutExtension(
              new X509CertificateHolder(leaf.getEncoded()),
              new ASN1ObjectIdentifier(FulcioOids.CT_SCT_LIST));
      ByteBuffer b = ByteBuffer.allocate(1 + 1 + 8 + 2 + 32 + 3 + tbs.length + 2);
      b.put((byte) 0).put((byte) 0).putLong(timestamp).putShort((short) 1);
      b.put(MerkleTree.sha256(issuer.getPublicKey().getEncoded()));
      b.put((byte) (tbs.length >>> 16)).putShort((short) tbs.length).put(tbs);
      b.putShort((short) extensions.length);
      return RekorLogTest.verifies(logKey, Arrays.copyOf(b.array(), b.position()), signature);
    }
  }
}
