package io.portcullis.core.dct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufRemote;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Root trust (rotation, Notary's root certificate rules) and rollbacks against what an earlier
 * verification stored, on generated Notary metadata.
 */
class DctRootAndRollbackTest {
  static final String GUN = "docker.io/library/alpine";
  static final byte[] ONE = NotaryRepository.ONE;
  static final byte[] TWO = NotaryRepository.TWO;

  @TempDir Path dir;
  NotaryRepository repo;

  @BeforeEach
  void repository() {
    repo = NotaryRepository.published(GUN, ONE);
  }

  TrustData verify(TufRemote remote, RootTrust trust, String store) throws Exception {
    return NotaryRepository.verify(
        GUN, remote, dir.resolve(store), trust, Clock.fixed(NotaryRepository.NOW, ZoneOffset.UTC));
  }

  TrustData tofu(TufRemote remote, String store) throws Exception {
    return verify(remote, new RootTrust.FirstUse(), store);
  }

  // ---- rotation

  @Test
  void aRotatedRootSignedByTheOldKeyAndItsOwnIsFollowed() throws Exception {
    tofu(repo.remote(), "s");
    repo.rotateRoot(true);
    repo.targetEntries.put("v2", TWO);
    repo.publishNext();
    TrustData data = tofu(repo.remote(), "s");
    assertEquals(Digest.sha256(TWO), data.resolve("v2", DctVerifier.DOCKER_ROLES).digest());
  }

  @Test
  void aNewRootNotSignedByTheTrustedRootIsRefused() throws Exception {
    tofu(repo.remote(), "s");
    repo.rotateRoot(false);
    repo.publishNext();
    TufException.ThresholdNotMet e =
        assertThrows(TufException.ThresholdNotMet.class, () -> tofu(repo.remote(), "s"));
    assertTrue(e.getMessage().startsWith("2.root.json is signed by 0 valid root key"));
  }

  @Test
  void aNewRootNotSignedByItsOwnKeyIsRefused() throws Exception {
    tofu(repo.remote(), "s");
    NotaryRepository.Key old = repo.root;
    repo.rotateRoot(true);
    repo.writeRoot(List.of(old)); // only the old key signs version 2
    repo.publishNext();
    assertThrows(TufException.ThresholdNotMet.class, () -> tofu(repo.remote(), "s"));
  }

  @Test
  void aPinOfTheFirstRootKeyReachesTheCurrentRootThroughEveryVersion() throws Exception {
    String firstKey = repo.root.id();
    repo.rotateRoot(true);
    repo.rotateRoot(true); // root.json is version 3, signed by the keys of 2 and 3 only
    repo.publishNext();
    TrustData data =
        verify(repo.remote(), new RootTrust.Pinned(RootKeyPins.ofKeyIds(List.of(firstKey))), "s");
    assertEquals("targets", data.resolve("v1", DctVerifier.DOCKER_ROLES).role());
    // without 2.root.json the chain from the pinned root is broken: root 1 must not stay trusted
    TufRemote gap =
        (path, max) ->
            path.equals("2.root.json") ? Optional.empty() : repo.remote().fetch(path, max);
    TufException.Untrusted e =
        assertThrows(
            TufException.Untrusted.class,
            () -> verify(gap, new RootTrust.Pinned(RootKeyPins.ofKeyIds(List.of(firstKey))), "t"));
    assertTrue(e.getMessage().contains("2.root.json is missing"), e.getMessage());
  }

  @Test
  void aTrustedOnFirstUseRootIsRecordedAndAnUnchainedReplacementRefused() throws Exception {
    tofu(repo.remote(), "s");
    // the server's repository replaced by one with other keys, also version 1
    NotaryRepository impostor = new NotaryRepository(GUN);
    impostor.targetEntries.put("v1", TWO);
    impostor.publish();
    assertThrows(TufException.class, () -> tofu(impostor.remote(), "s"));
    // a verifier that recorded nothing would take it
    assertEquals(
        Digest.sha256(TWO),
        tofu(impostor.remote(), "fresh").resolve("v1", DctVerifier.DOCKER_ROLES).digest());
  }

  // ---- root certificates

  @Test
  void aRootCertificateForAnotherGunIsRefused() throws Exception {
    NotaryRepository other = new NotaryRepository(GUN);
    other.root =
        NotaryRepository.rootKey(
            "docker.io/library/busybox",
            NotaryRepository.NOW.minus(Duration.ofDays(1)),
            NotaryRepository.NOW.plus(Duration.ofDays(10)));
    other.publish();
    TufException.Untrusted e =
        assertThrows(TufException.Untrusted.class, () -> tofu(other.remote(), "s"));
    assertTrue(e.getMessage().contains("is not the GUN"), e.getMessage());
  }

  @Test
  void anExpiredRootCertificateIsRefused() throws Exception {
    NotaryRepository other = new NotaryRepository(GUN);
    Instant now = NotaryRepository.NOW;
    other.root = NotaryRepository.rootKey(GUN, now.minus(Duration.ofDays(30)), now.minusSeconds(1));
    other.publish();
    TufException.Untrusted e =
        assertThrows(TufException.Untrusted.class, () -> tofu(other.remote(), "s"));
    assertTrue(e.getMessage().contains("certificate valid only from"), e.getMessage());
  }

  @Test
  void aRootKeyThatIsNotACertificateIsRefused() throws Exception {
    NotaryRepository other = new NotaryRepository(GUN);
    other.root = NotaryRepository.ecdsa();
    other.publish();
    TufException.Untrusted e =
        assertThrows(TufException.Untrusted.class, () -> tofu(other.remote(), "s"));
    assertTrue(e.getMessage().contains("not an x509 certificate key"), e.getMessage());
  }

  // ---- rollback

  @Test
  void anOlderTimestampThanTheTrustedOneIsRefused() throws Exception {
    TufRemote old = repo.remote();
    repo.publishNext();
    tofu(repo.remote(), "s");
    TufException.Rollback e = assertThrows(TufException.Rollback.class, () -> tofu(old, "s"));
    assertTrue(e.getMessage().startsWith("timestamp version 1 < trusted 2"), e.getMessage());
  }

  @Test
  void anOlderSnapshotThanTheTrustedOneIsRefused() throws Exception {
    repo.publishNext();
    tofu(repo.remote(), "s");
    // a fresh timestamp naming an old snapshot (notary's meta has no version to compare)
    repo.snapshotVersion = 1;
    repo.timestampVersion = 3;
    repo.publish();
    TufException.Rollback e =
        assertThrows(TufException.Rollback.class, () -> tofu(repo.remote(), "s"));
    assertTrue(
        e.getMessage().startsWith("snapshot.json has version 1 < trusted 2"), e.getMessage());
  }

  @Test
  void olderTargetsThanTheTrustedOnesAreRefused() throws Exception {
    repo.publishNext();
    tofu(repo.remote(), "s");
    repo.targetsVersion = 1;
    repo.snapshotVersion = 3;
    repo.timestampVersion = 3;
    repo.publish();
    TufException.Rollback e =
        assertThrows(TufException.Rollback.class, () -> tofu(repo.remote(), "s"));
    assertTrue(e.getMessage().startsWith("targets.json has version 1 < trusted 2"), e.getMessage());
  }

  @Test
  void olderDelegatedTargetsThanTheTrustedOnesAreRefused() throws Exception {
    repo.releaseEntries.put("r", TWO);
    repo.publishNext();
    tofu(repo.remote(), "s").resolve("r", DctVerifier.DOCKER_ROLES); // stores releases v2
    repo.releasesVersion = 1;
    repo.targetsVersion = 3;
    repo.snapshotVersion = 3;
    repo.timestampVersion = 3;
    repo.publish();
    TrustData data = tofu(repo.remote(), "s");
    assertThrows(TufException.Rollback.class, () -> data.resolve("r", DctVerifier.DOCKER_ROLES));
  }

  @Test
  void metadataThatDiffersFromTheSnapshotsHashesIsRefused() throws Exception {
    byte[] targets = repo.files.get("targets.json");
    String text =
        new String(targets, StandardCharsets.UTF_8).replace("\"length\":", "\"length\":1");
    assertThrows(
        TufException.HashMismatch.class,
        () -> tofu(repo.remoteWith("targets.json", text.getBytes(StandardCharsets.UTF_8)), "s"));
  }
}
