package io.portcullis.core.dct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.tuf.CanonicalJson;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufRemote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notary's signature encodings and key types: raw and DER ECDSA, Ed25519, RSA-PSS, and a {@code
 * method} that must suit the key.
 */
class DctSignatureFormatsTest {
  static final String GUN = "registry.corp/app";
  static final byte[] MANIFEST = "{}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  NotaryRepository repo;

  @BeforeEach
  void repository() {
    repo = new NotaryRepository(GUN);
    repo.targetEntries.put("v1", MANIFEST);
    repo.releaseEntries.put("r1", MANIFEST);
  }

  TrustData verify(TufRemote remote) throws Exception {
    return NotaryRepository.verify(
        GUN,
        remote,
        dir.resolve("s" + System.nanoTime()),
        new RootTrust.FirstUse(),
        Clock.fixed(NotaryRepository.NOW, ZoneOffset.UTC));
  }

  /** targets.json with its one signature rewritten, and the snapshot and timestamp re-made. */
  TufRemote withTargetsSignature(UnaryOperator<ObjectNode> change) {
    repo.publish();
    ObjectNode doc = (ObjectNode) StrictJson.readTree(repo.files.get("targets.json"));
    ArrayNode sigs = (ArrayNode) doc.get("signatures");
    sigs.set(0, change.apply((ObjectNode) sigs.get(0)));
    byte[] forged = doc.toString().getBytes(StandardCharsets.UTF_8);
    repo.files.put("targets.json", forged);
    repo.republishSnapshotAndTimestamp();
    return repo.remote();
  }

  @Test
  void rsaPssDelegationKeysVerify() throws Exception {
    repo.releases = NotaryRepository.rsa();
    repo.publish();
    assertEquals(
        "targets/releases", verify(repo.remote()).resolve("r1", DctVerifier.DOCKER_ROLES).role());
  }

  @Test
  void derEncodedEcdsaSignaturesVerifyToo() throws Exception {
    TufRemote remote = withTargetsSignature(this::derSignature);
    assertEquals("targets", verify(remote).resolve("v1", DctVerifier.DOCKER_ROLES).role());
  }

  /** The entry re-signed as ASN.1 DER, which later notary versions write. */
  private ObjectNode derSignature(ObjectNode sig) {
    try {
      Signature der = Signature.getInstance("SHA256withECDSA");
      der.initSign(repo.targets.pair().getPrivate());
      der.update(CanonicalJson.NOTARY.canonicalize(signedPart()));
      return sig.put("sig", Base64.getEncoder().encodeToString(der.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode signedPart() {
    return (ObjectNode) StrictJson.readTree(repo.files.get("targets.json")).get("signed");
  }

  @Test
  void aMethodThatDoesNotSuitTheKeyDoesNotCount() throws Exception {
    // a valid DER signature, so that only the method can make it not count
    TufRemote remote = withTargetsSignature(sig -> derSignature(sig).put("method", "eddsa"));
    assertThrows(TufException.ThresholdNotMet.class, () -> verify(remote));
  }

  @Test
  void theMethodIsReadCaseInsensitivelyAsNotaryDoes() throws Exception {
    TufRemote remote = withTargetsSignature(sig -> sig.put("method", "ECDSA"));
    assertEquals("targets", verify(remote).resolve("v1", DctVerifier.DOCKER_ROLES).role());
  }

  @Test
  void aSignatureThatIsNotBase64DoesNotCount() throws Exception {
    TufRemote remote = withTargetsSignature(sig -> sig.put("sig", "not base64!"));
    assertThrows(TufException.ThresholdNotMet.class, () -> verify(remote));
  }

  @Test
  void aTruncatedRawSignatureDoesNotCount() throws Exception {
    TufRemote remote =
        withTargetsSignature(
            sig -> {
              byte[] raw = Base64.getDecoder().decode(sig.get("sig").asText());
              byte[] cut = java.util.Arrays.copyOf(raw, 63);
              return sig.put("sig", Base64.getEncoder().encodeToString(cut));
            });
    assertThrows(TufException.ThresholdNotMet.class, () -> verify(remote));
  }
}
