package io.portcullis.testkit.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.Pae;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.sigstore.SigstoreBundle;
import io.portcullis.core.sigstore.TlogEntry;
import io.portcullis.core.sigstore.TrustedRoot;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;
import org.junit.jupiter.api.Test;

class BundleWriterTest {
  private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  private static final PrivateSigstore SIGSTORE =
      PrivateSigstore.builder()
          .clock(Clock.fixed(NOW, ZoneOffset.UTC))
          .timestampAuthority(true)
          .build();
  private static final SigningIdentity GITHUB =
      SigningIdentity.githubWorkflow("myorg/app", ".github/workflows/release.yml", "refs/tags/v1");
  private static final Digest IMAGE = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));

  @Test
  void keylessImageSignatureIsACosignV3DsseBundleLoggedAsDsse() throws Exception {
    byte[] json = SIGSTORE.bundles().imageSignature("registry.test/app", IMAGE, GITHUB);
    SigstoreBundle bundle = SigstoreBundle.parse(json);
    assertEquals(BundleWriter.MEDIA_TYPE, bundle.mediaType());
    assertFalse(bundle.keyBased());
    X509Certificate leaf = bundle.certificates().get(0);
    DsseEnvelope envelope = bundle.dsseEnvelope().orElseThrow();
    assertEquals(DsseEnvelope.IN_TOTO_PAYLOAD_TYPE, envelope.payloadType());
    JsonNode statement = StrictJson.readTree(envelope.payload());
    assertEquals("https://in-toto.io/Statement/v1", statement.get("_type").asText());
    assertEquals(BundleWriter.COSIGN_SIGN_V1, statement.get("predicateType").asText());
    assertEquals(IMAGE.hex(), statement.at("/subject/0/digest/sha256").asText());
    byte[] sig = envelope.signatures().get(0).sig();
    assertTrue(
        RekorLogTest.verifies(
            leaf.getPublicKey(), Pae.encode(envelope.payloadType(), envelope.payload()), sig));

    TlogEntry entry = bundle.tlogEntries().get(0);
    assertEquals("dsse", entry.kind());
    assertEquals("0.0.1", entry.version());
    assertEquals(NOW.getEpochSecond(), entry.integratedTime());
    assertArrayEquals(SIGSTORE.rekor().logId(), entry.logId());
    JsonNode body = StrictJson.readTree(entry.canonicalizedBody());
    assertEquals(
        HexFormat.of().formatHex(MerkleTree.sha256(envelope.payload())),
        body.at("/spec/payloadHash/value").asText());
    assertEquals(
        Base64.getEncoder().encodeToString(sig), body.at("/spec/signatures/0/signature").asText());
    String verifierPem =
        new String(
            Base64.getDecoder().decode(body.at("/spec/signatures/0/verifier").asText()),
            StandardCharsets.UTF_8);
    assertTrue(verifierPem.startsWith("-----BEGIN CERTIFICATE-----"), verifierPem);
    assertTrue(setVerifies(entry), "SET");
    assertEquals(1, bundle.rfc3161Timestamps().size());
  }

  @Test
  void keylessMessageSignatureIsLoggedAsHashedRekord() throws Exception {
    byte[] artifact = "hello\n".getBytes(StandardCharsets.UTF_8);
    SigstoreBundle bundle =
        SigstoreBundle.parse(SIGSTORE.bundles().messageSignature(artifact, GITHUB));
    var message = bundle.messageSignature().orElseThrow();
    assertEquals("SHA2_256", message.digestAlgorithm().orElseThrow());
    assertArrayEquals(MerkleTree.sha256(artifact), message.digest().orElseThrow());
    assertTrue(
        RekorLogTest.verifies(
            bundle.certificates().get(0).getPublicKey(), artifact, message.signature()));
    TlogEntry entry = bundle.tlogEntries().get(0);
    assertEquals("hashedrekord", entry.kind());
    JsonNode body = StrictJson.readTree(entry.canonicalizedBody());
    assertEquals(
        HexFormat.of().formatHex(MerkleTree.sha256(artifact)),
        body.at("/spec/data/hash/value").asText());
    assertEquals("sha256", body.at("/spec/data/hash/algorithm").asText());
    assertTrue(setVerifies(entry));
  }

  @Test
  void keyBasedBundlesCarryAHintAndNoEntryUnlessLogged() throws Exception {
    KeyPair key = EcKeys.generate(EcKeys.Curve.P256);
    SigstoreBundle unlogged =
        SigstoreBundle.parse(
            SIGSTORE.bundles().keyImageSignature("registry.test/app", IMAGE, key, false));
    assertTrue(unlogged.keyBased());
    assertEquals(BundleWriter.keyHint(key), unlogged.publicKeyHint().orElseThrow());
    assertTrue(unlogged.tlogEntries().isEmpty());
    SigstoreBundle logged =
        SigstoreBundle.parse(SIGSTORE.bundles().keyMessageSignature(new byte[] {1}, key, true));
    assertEquals("hashedrekord", logged.tlogEntries().get(0).kind());
  }

  @Test
  void provenanceNamesItsBuilder() {
    SigstoreBundle bundle =
        SigstoreBundle.parse(
            SIGSTORE
                .bundles()
                .provenance(
                    "registry.test/app",
                    IMAGE,
                    "https://github.com/actions/runner/github-hosted",
                    GITHUB));
    JsonNode statement = StrictJson.readTree(bundle.dsseEnvelope().orElseThrow().payload());
    assertEquals(BundleWriter.SLSA_PROVENANCE_V1, statement.get("predicateType").asText());
    assertEquals(
        "https://github.com/actions/runner/github-hosted",
        statement.at("/predicate/runDetails/builder/id").asText());
  }

  @Test
  void trustedRootListsEveryPartWithItsWindow() {
    TrustedRoot root = TrustedRoot.parse(SIGSTORE.trustedRootJson());
    assertEquals(1, root.tlogs().size());
    assertTrue(root.tlogs().get(0).hasId(SIGSTORE.rekor().logId()));
    assertEquals(SIGSTORE.rekor().publicKey(), root.tlogs().get(0).key());
    assertEquals("https://rekor.private.test", root.tlogs().get(0).baseUrl());
    assertTrue(root.ctlogs().get(0).hasId(SIGSTORE.ctLog().logId()));
    assertEquals(2, root.certificateAuthorities().size());
    var current = root.certificateAuthorities().get(0);
    assertEquals(SIGSTORE.ca().chain(), current.chain());
    assertTrue(current.validity().contains(NOW));
    var retired = root.certificateAuthorities().get(1);
    assertEquals(SIGSTORE.retiredCa().chain(), retired.chain());
    assertFalse(retired.validity().contains(NOW), "retired window " + retired.validity());
    assertEquals(1, root.timestampAuthorities().size());
  }

  @Test
  void timestampIsAnRfc3161ResponseOverTheSignature() throws Exception {
    SigstoreBundle bundle =
        SigstoreBundle.parse(SIGSTORE.bundles().messageSignature(new byte[] {2}, GITHUB));
    TimeStampResponse response = new TimeStampResponse(bundle.rfc3161Timestamps().get(0));
    TimeStampToken token = response.getTimeStampToken();
    assertEquals(NOW, token.getTimeStampInfo().getGenTime().toInstant());
    assertArrayEquals(
        MerkleTree.sha256(bundle.messageSignature().orElseThrow().signature()),
        token.getTimeStampInfo().getMessageImprintDigest());
    X509Certificate signer = SIGSTORE.timestampAuthority().orElseThrow().chain().get(0);
    token.validate(
        new JcaSimpleSignerInfoVerifierBuilder()
            .build(new X509CertificateHolder(signer.getEncoded())));
  }

  @Test
  void faultsChangeOnlyWhatTheySay() throws Exception {
    BundleWriter w = SIGSTORE.bundles();
    assertEquals(
        Fault.ATTACKER_SAN,
        leaf(w.imageSignature("a", IMAGE, GITHUB, Fault.WRONG_SAN))
            .getSubjectAlternativeNames()
            .iterator()
            .next()
            .get(1));
    assertTrue(
        parse(w.imageSignature("a", IMAGE, GITHUB, Fault.NO_TLOG_ENTRY)).tlogEntries().isEmpty());
    assertTrue(
        parse(w.imageSignature("a", IMAGE, GITHUB, Fault.NO_TLOG_ENTRY))
            .rfc3161Timestamps()
            .isEmpty());
    TlogEntry otherSet =
        parse(w.imageSignature("a", IMAGE, GITHUB, Fault.SET_OVER_OTHER_BODY)).tlogEntries().get(0);
    assertFalse(setVerifies(otherSet));
    SigstoreBundle expired =
        parse(w.imageSignature("a", IMAGE, GITHUB, Fault.LEAF_EXPIRED_AT_LOG_TIME));
    assertTrue(
        leaf(expired).getNotAfter().toInstant().getEpochSecond()
            < expired.tlogEntries().get(0).integratedTime());
    assertTrue(setVerifies(expired.tlogEntries().get(0)));
    SigstoreBundle retired =
        parse(w.imageSignature("a", IMAGE, GITHUB, Fault.CA_NOT_VALID_AT_LOG_TIME));
    leaf(retired).verify(SIGSTORE.retiredCa().intermediate().getPublicKey());
    leaf(retired).checkValidity(java.util.Date.from(NOW));
    SigstoreBundle other = parse(w.imageSignature("a", IMAGE, GITHUB, Fault.OTHER_DIGEST));
    assertNotEquals(
        IMAGE.hex(),
        StrictJson.readTree(other.dsseEnvelope().orElseThrow().payload())
            .at("/subject/0/digest/sha256")
            .asText());
    SigstoreBundle tampered = parse(w.imageSignature("a", IMAGE, GITHUB, Fault.TAMPERED_PAYLOAD));
    DsseEnvelope env = tampered.dsseEnvelope().orElseThrow();
    assertFalse(
        RekorLogTest.verifies(
            leaf(tampered).getPublicKey(),
            Pae.encode(env.payloadType(), env.payload()),
            env.signatures().get(0).sig()));
    assertTrue(setVerifies(tampered.tlogEntries().get(0)), "logged before tampering");
  }

  private static SigstoreBundle parse(byte[] json) {
    return SigstoreBundle.parse(json);
  }

  private static X509Certificate leaf(byte[] json) {
    return leaf(parse(json));
  }

  private static X509Certificate leaf(SigstoreBundle b) {
    return b.certificates().get(0);
  }

  private static boolean setVerifies(TlogEntry e) throws Exception {
    String payload =
        "{\"body\":\""
            + Base64.getEncoder().encodeToString(e.canonicalizedBody())
            + "\",\"integratedTime\":"
            + e.integratedTime()
            + ",\"logID\":\""
            + HexFormat.of().formatHex(e.logId())
            + "\",\"logIndex\":"
            + e.logIndex()
            + "}";
    return RekorLogTest.verifies(
        SIGSTORE.rekor().publicKey(),
        payload.getBytes(StandardCharsets.UTF_8),
        e.signedEntryTimestamp().orElseThrow());
  }
}
