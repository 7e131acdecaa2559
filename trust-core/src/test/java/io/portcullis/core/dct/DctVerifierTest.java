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
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every check of {@link DctVerifier} on metadata written as notary 0.7 writes it ({@link
 * NotaryRepository}): each refusal test turns one thing wrong, and would pass only if the check it
 * names were gone.
 */
class DctVerifierTest {
  static final String GUN = "registry.corp:5000/team/app";
  static final byte[] MANIFEST = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
  static final byte[] RELEASED = "{\"schemaVersion\":2,\"r\":1}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;
  NotaryRepository repo;

  @BeforeEach
  void repository() {
    repo = new NotaryRepository(GUN);
    repo.targetEntries.put("v1", MANIFEST);
    repo.releaseEntries.put("v2", RELEASED);
    repo.publish();
  }

  TrustData verify(TufRemote remote, RootTrust trust, String store) throws Exception {
    return verify(remote, trust, store, NotaryRepository.NOW);
  }

  TrustData verify(TufRemote remote, RootTrust trust, String store, Instant now) throws Exception {
    return NotaryRepository.verify(
        GUN, remote, dir.resolve(store), trust, Clock.fixed(now, ZoneOffset.UTC));
  }

  TrustData tofu(String store) throws Exception {
    return verify(repo.remote(), new RootTrust.FirstUse(), store);
  }

  static RootTrust pinned(String... ids) {
    return new RootTrust.Pinned(RootKeyPins.ofKeyIds(List.of(ids)));
  }

  @Test
  void resolvesEachTagToItsDigestLengthRoleAndSigners() throws Exception {
    TrustData data = tofu("s");
    SignedTag v1 = data.resolve("v1", DctVerifier.DOCKER_ROLES);
    assertEquals(Digest.sha256(MANIFEST), v1.digest());
    assertEquals(MANIFEST.length, v1.length());
    assertEquals("targets", v1.role());
    assertEquals(Set.of(repo.targets.id()), v1.signerKeyIds());
    SignedTag v2 = data.resolve("v2", DctVerifier.DOCKER_ROLES);
    assertEquals(Digest.sha256(RELEASED), v2.digest());
    assertEquals("targets/releases", v2.role());
    assertEquals(Set.of(repo.releases.id()), v2.signerKeyIds());
  }

  @Test
  void theTrustDataExpiresWithTheEarliestMetadataReadSoFar() throws Exception {
    repo.timestampExpires = NotaryRepository.NOW.plus(Duration.ofDays(14));
    repo.releasesExpires = NotaryRepository.NOW.plus(Duration.ofDays(2));
    repo.publish();
    TrustData data = tofu("s");
    assertEquals(repo.timestampExpires, data.expires());
    data.resolve("v2", DctVerifier.DOCKER_ROLES); // reads targets/releases
    assertEquals(repo.releasesExpires, data.expires());
  }

  /** A clock a test moves on. */
  static final class MovableClock extends Clock {
    Instant now = NotaryRepository.NOW;

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void trustDataKeptPastItsExpiryRefusesToResolve() throws Exception {
    repo.releasesExpires = NotaryRepository.NOW.plus(Duration.ofDays(2));
    repo.publish();
    MovableClock clock = new MovableClock();
    TrustData data =
        NotaryRepository.verify(
            GUN, repo.remote(), dir.resolve("s"), new RootTrust.FirstUse(), clock);
    clock.now = NotaryRepository.NOW.plus(Duration.ofDays(3));
    // the releases role, read only now, expired yesterday
    assertThrows(TufException.Expired.class, () -> data.resolve("v2", DctVerifier.DOCKER_ROLES));
    assertEquals("targets", data.resolve("v1", List.of("targets")).role());
    clock.now = NotaryRepository.NOW.plus(Duration.ofDays(15));
    // the timestamp verified on day 0 expired on day 14
    TufException.Expired e =
        assertThrows(
            TufException.Expired.class, () -> data.resolve("v1", DctVerifier.DOCKER_ROLES));
    assertTrue(e.getMessage().startsWith("the metadata verified earlier expired"), e.getMessage());
  }

  @Test
  void theReleasesDelegationIsAskedBeforeTheTargetsRole() throws Exception {
    repo.targetEntries.put("both", MANIFEST);
    repo.releaseEntries.put("both", RELEASED);
    repo.publishNext();
    TrustData data = tofu("s");
    assertEquals(Digest.sha256(RELEASED), data.resolve("both", DctVerifier.DOCKER_ROLES).digest());
    assertEquals(Digest.sha256(MANIFEST), data.resolve("both", List.of("targets")).digest());
  }

  @Test
  void aTagNoRoleSignedIsNotFound() throws Exception {
    TrustData data = tofu("s");
    TufException.NotFound e =
        assertThrows(
            TufException.NotFound.class, () -> data.resolve("latest", DctVerifier.DOCKER_ROLES));
    assertEquals(
        "tag latest of " + GUN + " has no signed target in targets/releases or targets",
        e.getMessage());
    // a role the policy does not accept does not count either
    assertThrows(
        TufException.NotFound.class, () -> data.resolve("v1", List.of("targets/releases")));
  }

  @Test
  void aDelegationWhosePathsDoNotCoverTheTagDoesNotSignIt() throws Exception {
    repo.releasesPaths = List.of("stable-");
    repo.releaseEntries.put("stable-1", RELEASED);
    repo.publishNext();
    TrustData data = tofu("s");
    assertEquals("targets/releases", data.resolve("stable-1", DctVerifier.DOCKER_ROLES).role());
    assertThrows(
        TufException.NotFound.class, () -> data.resolve("v2", List.of("targets/releases")));
  }

  @Test
  void anExpiredTimestampIsRefused() throws Exception {
    repo.timestampExpires = NotaryRepository.NOW.minusSeconds(1);
    repo.publish();
    TufException.Expired e = assertThrows(TufException.Expired.class, () -> tofu("s"));
    assertTrue(e.getMessage().startsWith("timestamp.json expired"), e.getMessage());
  }

  @Test
  void expiredTargetsAreRefused() throws Exception {
    repo.targetsExpires = NotaryRepository.NOW.minusSeconds(1);
    repo.publish();
    assertThrows(TufException.Expired.class, () -> tofu("s"));
  }

  @Test
  void aRootNotSignedByThePinnedKeysIsRefused() throws Exception {
    NotaryRepository.Key stranger = NotaryRepository.ecdsa();
    TufException.Untrusted e =
        assertThrows(
            TufException.Untrusted.class, () -> verify(repo.remote(), pinned(stranger.id()), "s"));
    assertTrue(e.getMessage().contains("not signed by a threshold of the pinned root keys"));
  }

  @Test
  void theRootIsPinnedByItsKeyIdItsCanonicalIdOrItsCertificate() throws Exception {
    String canonical =
        RootKeyPins.canonicalKeyId("ecdsa-x509", repo.root.pair().getPublic().getEncoded());
    String pem =
        new String(
            Base64.getDecoder().decode(repo.root.object().path("keyval").path("public").asText()),
            StandardCharsets.US_ASCII);
    for (RootTrust trust :
        List.of(
            pinned(repo.root.id()),
            pinned(canonical),
            new RootTrust.Pinned(RootKeyPins.ofPem(pem)))) {
      assertEquals(
          "targets",
          verify(repo.remote(), trust, "s-" + trust.hashCode())
              .resolve("v1", DctVerifier.DOCKER_ROLES)
              .role());
    }
  }

  @Test
  void targetsSignedByAKeyOutsideTheRoleAreRefused() throws Exception {
    repo.targetsSigner = NotaryRepository.ecdsa();
    repo.publish();
    assertThrows(TufException.ThresholdNotMet.class, () -> tofu("s"));
  }

  @Test
  void aThresholdOfTwoNeedsTwoDistinctKeys() throws Exception {
    repo.secondTargets = NotaryRepository.ecdsa();
    repo.targetsThreshold = 2;
    repo.targetsSigners = List.of(repo.targets, repo.secondTargets);
    repo.files.clear();
    repo.publish();
    assertEquals(
        Set.of(repo.targets.id(), repo.secondTargets.id()),
        tofu("both").resolve("v1", DctVerifier.DOCKER_ROLES).signerKeyIds());

    for (List<NotaryRepository.Key> signers :
        List.of(List.of(repo.targets), List.of(repo.targets, repo.targets))) {
      repo.targetsSigners = signers;
      repo.publish();
      TufException.ThresholdNotMet e =
          assertThrows(TufException.ThresholdNotMet.class, () -> tofu("one-" + signers.size()));
      assertEquals(1, e.verified());
      assertEquals(2, e.threshold());
    }
  }

  @Test
  void aKeyListedUnderAnIdThatIsNotItsHashNeverCounts() throws Exception {
    // the root lists the targets key under a made-up id and the targets are signed under that id
    NotaryRepository.Key real = repo.targets;
    repo.targets =
        new NotaryRepository.Key(real.type(), real.pair(), real.object(), "ab".repeat(32));
    repo.files.clear();
    repo.publish();
    TufException.ThresholdNotMet e =
        assertThrows(TufException.ThresholdNotMet.class, () -> tofu("s"));
    assertTrue(e.getMessage().startsWith("targets.json is signed by 0 valid targets key"));
  }

  @Test
  void delegatedMetadataSignedByAKeyTheDelegationDoesNotListIsRefused() throws Exception {
    repo.releasesSigner = NotaryRepository.ecdsa();
    repo.publishNext();
    TrustData data = tofu("s");
    // fail closed: a releases role that does not verify is an error, not a fall-back to targets
    TufException.ThresholdNotMet e =
        assertThrows(
            TufException.ThresholdNotMet.class, () -> data.resolve("v1", DctVerifier.DOCKER_ROLES));
    assertTrue(e.getMessage().contains("valid targets/releases key"), e.getMessage());
  }
}
