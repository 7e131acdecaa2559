package io.portcullis.core.dct;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufRemote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust on first use with the root recorded outside the metadata store ({@link
 * RootTrust.Recorded}), as a gateway fleet keeps it in its shared state: the walk starts from the
 * recorded root whatever the store holds, records nothing itself, and tells the root it ended at.
 */
class DctRecordedRootTest {
  static final String GUN = "registry.corp:5000/team/app";
  static final byte[] ONE = NotaryRepository.ONE;
  static final byte[] TWO = NotaryRepository.TWO;

  @TempDir Path dir;
  NotaryRepository repo;

  @BeforeEach
  void repository() {
    repo = NotaryRepository.published(GUN, ONE);
  }

  TrustData verify(TufRemote remote, Optional<byte[]> recorded, String store) throws Exception {
    return NotaryRepository.verify(
        GUN,
        remote,
        dir.resolve(store),
        new RootTrust.Recorded(recorded),
        Clock.fixed(NotaryRepository.NOW, ZoneOffset.UTC));
  }

  @Test
  void withNothingRecordedTheServersRootIsTrustedAndNotWrittenToTheStore() throws Exception {
    TrustData data = verify(repo.remote(), Optional.empty(), "s");
    assertArrayEquals(repo.files.get("root.json"), data.root());
    assertEquals(1, data.rootVersion());
    assertEquals(Digest.sha256(ONE), data.resolve("v1", DctVerifier.DOCKER_ROLES).digest());
    assertFalse(Files.exists(dir.resolve("s/root.json")), "the caller records, not the store");
  }

  @Test
  void anUnchainedReplacementOfTheRecordedRootIsRefused() throws Exception {
    byte[] recorded = verify(repo.remote(), Optional.empty(), "s").root();
    NotaryRepository impostor = new NotaryRepository(GUN);
    impostor.targetEntries.put("v1", TWO);
    impostor.publish();
    TufException.Untrusted e =
        assertThrows(
            TufException.Untrusted.class,
            () -> verify(impostor.remote(), Optional.of(recorded), "other"));
    assertTrue(e.getMessage().contains("is not the root trusted at that version"), e.getMessage());
  }

  @Test
  void theRecordedRootCountsEvenWhenTheStoreHoldsAnotherOne() throws Exception {
    byte[] recorded = verify(repo.remote(), Optional.empty(), "s").root();
    NotaryRepository impostor = new NotaryRepository(GUN);
    impostor.targetEntries.put("v1", TWO);
    impostor.publish();
    // a replica that once trusted the impostor on its own (before the fleet shared its roots)
    NotaryRepository.verify(
        GUN,
        impostor.remote(),
        dir.resolve("stale"),
        new RootTrust.FirstUse(),
        Clock.fixed(NotaryRepository.NOW, ZoneOffset.UTC));
    assertArrayEquals(
        impostor.files.get("root.json"), Files.readAllBytes(dir.resolve("stale/root.json")));

    assertThrows(
        TufException.class, () -> verify(impostor.remote(), Optional.of(recorded), "stale"));
    assertEquals(
        Digest.sha256(ONE),
        verify(repo.remote(), Optional.of(recorded), "stale")
            .resolve("v1", DctVerifier.DOCKER_ROLES)
            .digest());
  }

  @Test
  void aRotationFromTheRecordedRootEndsAtTheNewRoot() throws Exception {
    byte[] recorded = verify(repo.remote(), Optional.empty(), "s").root();
    repo.rotateRoot(true);
    repo.targetEntries.put("v2", TWO);
    repo.publishNext();
    TrustData data = verify(repo.remote(), Optional.of(recorded), "fresh");
    assertEquals(2, data.rootVersion());
    assertArrayEquals(repo.files.get("2.root.json"), data.root());
    assertEquals(Digest.sha256(TWO), data.resolve("v2", DctVerifier.DOCKER_ROLES).digest());
  }

  @Test
  void aRecordedRootNewerThanTheServersIsNotRolledBack() throws Exception {
    NotaryRepository older = new NotaryRepository(GUN);
    older.root = repo.root;
    older.targetEntries.put("v1", ONE);
    older.publish();
    repo.rotateRoot(true);
    repo.publishNext();
    byte[] recorded = verify(repo.remote(), Optional.empty(), "s").root();
    // a server still serving version 1 signs nothing the recorded version 2 trusts
    assertThrows(TufException.class, () -> verify(older.remote(), Optional.of(recorded), "t"));
  }
}
