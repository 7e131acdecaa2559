package io.portcullis.core.tuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.testing.InteropFixtures;
import io.portcullis.core.testing.StaticHttpServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The synthetic TUF repositories of sigstore-java's {@code UpdaterTest} ({@code
 * sigstore/tuf-vectors/synthetic}, one defect each), served from loopback with exactly the files
 * that test puts on its mirror, at the clock it uses (2022-09-09T13:37:00Z unless a case says).
 * Each case names the sigstore-java test it mirrors and expects the failure that test expects.
 */
class SyntheticVectorsTest {
  private static final String DEFAULT_TIME = "2022-09-09T13:37:00Z";
  private static final String TEST_TXT =
      "targets/860de8f9a858eea7190fcfa1b53fe55914d3c38f17f8f542273012d19cc9509bb423f37b7c13c577a56339ad7f45273b479b1d0df837cb6e20a550c27cce0885.test.txt";

  @TempDir Path store;
  private final StaticHttpServer server = new StaticHttpServer();

  @AfterEach
  void stop() {
    server.close();
  }

  private static Path vector(String name) {
    return InteropFixtures.path("sigstore/tuf-vectors/synthetic").resolve(name);
  }

  private void mirror(String vector, String... files) {
    server.putAll(vector(vector), files);
  }

  /** Seeds the local store as a previous run would have left it (versions stripped from names). */
  private void bootstrap(String vector, String root, String... roles) throws IOException {
    Files.copy(vector(vector).resolve(root), store.resolve("root.json"));
    for (String file : roles) {
      Files.copy(vector(vector).resolve(file), store.resolve(file.replaceFirst("^\\d+\\.", "")));
    }
  }

  private TufClient client() throws Exception {
    return client(vector("trusted-root.json"), DEFAULT_TIME);
  }

  private TufClient client(String time) throws Exception {
    return client(vector("trusted-root.json"), time);
  }

  private TufClient client(Path pinnedRoot, String time) throws Exception {
    return TufClient.open(
        TufClient.Settings.of(
            new HttpTufRemote(server.uri(), Duration.ofSeconds(5)),
            new TufMetadataStore(store),
            Files.readAllBytes(pinnedRoot),
            Clock.fixed(Instant.parse(time), ZoneOffset.UTC)));
  }

  private static void updateToTargets(TufClient client) throws Exception {
    client.updateRoot();
    client.updateTimestamp();
    client.updateSnapshot();
    client.updateTargets();
  }

  // --- root (5.3) ---

  @Test // testRootUpdate_notEnoughSignatures
  void unsignedRootIsRefused() throws Exception {
    mirror("root-unsigned", "2.root.json");
    TufException.ThresholdNotMet e =
        assertThrows(TufException.ThresholdNotMet.class, client()::updateRoot);
    assertEquals(0, e.verified());
    assertEquals(1, e.threshold());
    assertTrue(Files.notExists(store.resolve("root.json")), "nothing unverified is stored");
  }

  @Test // testRootUpdate_newRootHasUnknownFields
  void rootWithUnknownFieldsVerifiesOverThem() throws Exception {
    mirror("root-update-with-unknown-fields", "5.root.json");
    TufClient client = client(vector("root-update-with-unknown-fields/4.root.json"), DEFAULT_TIME);
    assertEquals(5, client.updateRoot().version());
  }

  @Test // testRootUpdate_newRootHasEmptySignatures
  void anEmptySignatureIsIgnoredWhileTheThresholdIsStillMet() throws Exception {
    mirror("root-update-with-empty-signature", "2.root.json");
    assertEquals(2, client().updateRoot().version());
  }

  @Test // testRootUpdate_newRootHasInvalidSignatures
  void aSignatureThatIsNotHexIsIgnoredWhileTheThresholdIsStillMet() throws Exception {
    mirror("root-update-with-invalid-signature", "2.root.json");
    assertEquals(2, client().updateRoot().version());
  }

  @Test // testRootUpdate_expiredRoot
  void expiredRootIsRefusedAfterRotation() throws Exception {
    mirror("test-template", "2.root.json");
    TufClient client = client("2023-05-13T14:35:59Z");
    TufException.Expired e = assertThrows(TufException.Expired.class, client::updateRoot);
    assertEquals(Instant.parse("2023-05-13T14:35:58Z"), e.expires());
    assertEquals(2, client.trustedRoot().version(), "the rotation itself is kept (spec 5.3.9)");
  }

  @Test // testRootUpdate_wrongVersion
  void rootWithAnotherVersionThanItsFileNameIsRefused() throws Exception {
    mirror("root-wrong-version", "2.root.json");
    TufException.Rollback e = assertThrows(TufException.Rollback.class, client()::updateRoot);
    assertEquals("2.root.json has version 1, expected 2", e.getMessage());
  }

  @Test // testRootUpdate_metaFileTooBig
  void oversizedRootIsRefusedWithoutReadingIt() throws Exception {
    mirror("root-too-big", "2.root.json");
    assertThrows(TufException.TooLarge.class, client()::updateRoot);
  }

  // --- timestamp (5.4) ---

  @Test // testTimestampUpdate_throwMetaNotFoundException
  void missingTimestampIsNotFound() throws Exception {
    mirror("test-template", "2.root.json");
    TufClient client = client();
    client.updateRoot();
    assertThrows(TufException.NotFound.class, client::updateTimestamp);
  }

  @Test // testTimestampUpdate_throwsSignatureVerificationException
  void unsignedTimestampIsRefused() throws Exception {
    // this vector's 2.root.json is of an older generation, signed by other keys than
    // trusted-root.json: sigstore-java's expected "0 of 1" comes from the root step
    mirror("timestamp-unsigned", "2.root.json", "timestamp.json");
    TufException.ThresholdNotMet root =
        assertThrows(TufException.ThresholdNotMet.class, client()::refresh);
    assertEquals(0, root.verified());
    assertEquals(1, root.threshold());
    // with the template's root, the timestamp with no signatures is what is refused
    server.put("2.root.json", vector("test-template/2.root.json"));
    TufClient client = client();
    client.updateRoot();
    TufException.ThresholdNotMet e =
        assertThrows(TufException.ThresholdNotMet.class, client::updateTimestamp);
    assertEquals(
        "timestamp.json is signed by 0 valid timestamp key(s), threshold 1", e.getMessage());
  }

  @Test // testTimestampUpdate_throwsRollbackVersionException
  void olderTimestampThanTheTrustedOneIsARollback() throws Exception {
    bootstrap("test-template", "root.json", "timestamp.json");
    mirror("timestamp-rollback-version", "2.root.json", "timestamp.json");
    TufClient client = client();
    client.updateRoot();
    TufException.Rollback e = assertThrows(TufException.Rollback.class, client::updateTimestamp);
    assertEquals("timestamp version 1 < trusted 3", e.getMessage());
  }

  @Test // testTimestampUpdate_throwsRoleExpiredException
  void expiredTimestampIsRefused() throws Exception {
    mirror("test-template", "2.root.json", "timestamp.json");
    TufClient client = client("2023-02-13T15:37:49Z");
    client.updateRoot();
    TufException.Expired e = assertThrows(TufException.Expired.class, client::updateTimestamp);
    assertTrue(e.getMessage().startsWith("timestamp.json expired at "), e.getMessage());
  }

  @Test // testTimestampUpdate_updateExistingTimestamp_success
  void newerTimestampReplacesTheTrustedOne() throws Exception {
    bootstrap("test-template", "1.root.json", "1.timestamp.json");
    mirror("test-template", "1.root.json", "2.root.json", "timestamp.json");
    TufClient client = client();
    client.updateRoot();
    assertEquals(3, client.updateTimestamp().version());
    assertArrayEquals(
        Files.readAllBytes(vector("test-template/timestamp.json")),
        Files.readAllBytes(store.resolve("timestamp.json")));
  }

  // --- snapshot (5.5) ---

  @Test // testSnapshotUpdate_invalidHash
  void snapshotWithAnotherHashThanTheTimestampSaysIsRefused() throws Exception {
    mirror("snapshot-invalid-hash", "2.root.json", "timestamp.json", "3.snapshot.json");
    TufClient client = client();
    client.updateRoot();
    client.updateTimestamp();
    assertThrows(TufException.HashMismatch.class, client::updateSnapshot);
  }

  @Test // testSnapshotUpdate_timestampSnapshotVersionMismatch
  void snapshotOfAnotherVersionThanTheTimestampSaysIsRefused() throws Exception {
    mirror("snapshot-version-mismatch", "2.root.json", "timestamp.json", "3.snapshot.json");
    TufClient client = client();
    client.updateRoot();
    client.updateTimestamp();
    TufException.VersionMismatch e =
        assertThrows(TufException.VersionMismatch.class, client::updateSnapshot);
    assertEquals(3, e.expected());
    assertEquals(2, e.found());
  }

  @Test // testSnapshotUpdate_snapshotTargetMissing
  void snapshotDroppingATargetsFileOfTheTrustedOneIsARollback() throws Exception {
    bootstrap("test-template", "2.root.json", "1.timestamp.json", "1.snapshot.json");
    mirror("snapshot-target-missing", "2.root.json", "timestamp.json", "4.snapshot.json");
    TufClient client = client();
    client.updateRoot();
    client.updateTimestamp();
    TufException.Rollback e = assertThrows(TufException.Rollback.class, client::updateSnapshot);
    assertTrue(e.getMessage().contains("no longer lists targets.json"), e.getMessage());
  }

  @Test // testSnapshotUpdate_snapshotTargetVersionRollback
  void snapshotNamingAnOlderTargetsVersionIsARollback() throws Exception {
    bootstrap("test-template", "2.root.json", "2.timestamp.json", "2.snapshot.json");
    mirror("snapshot-target-version-rollback", "2.root.json", "timestamp.json", "3.snapshot.json");
    TufClient client = client();
    client.updateRoot();
    client.updateTimestamp();
    TufException.Rollback e = assertThrows(TufException.Rollback.class, client::updateSnapshot);
    assertEquals("3.snapshot.json names targets.json version 1 < trusted 2", e.getMessage());
  }

  @Test // testSnapshotUpdate_expired
  void expiredSnapshotIsRefused() throws Exception {
    mirror("snapshot-expired", "2.root.json", "timestamp.json", "3.snapshot.json");
    TufClient client = client("2022-11-20T18:07:27Z");
    client.updateRoot();
    client.updateTimestamp();
    TufException.Expired e = assertThrows(TufException.Expired.class, client::updateSnapshot);
    assertEquals(Instant.parse("2022-11-19T18:07:27Z"), e.expires());
  }

  @Test // testUpdate_snapshotsAndTimestampHaveNoSizeAndNoHashesInMeta
  void snapshotAndTargetsWithoutLengthOrHashesAreCheckedByVersion() throws Exception {
    mirror(
        "no-size-no-hash-snapshot-timestamp", "2.root.json", "timestamp.json", "3.snapshot.json");
    TufClient client = client("2022-11-20T18:07:27Z");
    client.updateRoot();
    TimestampMetadata timestamp = client.updateTimestamp();
    SnapshotMetadata snapshot = client.updateSnapshot();
    assertTrue(timestamp.snapshot().hashes().isEmpty());
    assertTrue(timestamp.snapshot().length().isEmpty());
    assertTrue(snapshot.meta().get("targets.json").length().isEmpty());
  }

  // --- targets (5.6) ---

  @Test // testTargetsUpdate_targetMetaMissing
  void missingTargetsMetadataIsNotFound() throws Exception {
    mirror("test-template", "2.root.json", "timestamp.json", "3.snapshot.json");
    TufClient client = client();
    client.updateRoot();
    client.updateTimestamp();
    client.updateSnapshot();
    assertThrows(TufException.NotFound.class, client::updateTargets);
  }

  @Test // testTargetsUpdate_invalidHash
  void targetsWithAnotherHashThanTheSnapshotSaysIsRefused() throws Exception {
    mirror(
        "targets-invalid-hash",
        "2.root.json",
        "timestamp.json",
        "3.snapshot.json",
        "3.targets.json");
    TufClient client = client();
    client.updateRoot();
    client.updateTimestamp();
    client.updateSnapshot();
    assertThrows(TufException.HashMismatch.class, client::updateTargets);
  }

  @Test // testTargetsUpdate_snapshotVersionMismatch
  void targetsOfAnotherVersionThanTheSnapshotSaysIsRefused() throws Exception {
    mirror(
        "targets-snapshot-version-mismatch",
        "2.root.json",
        "timestamp.json",
        "3.snapshot.json",
        "3.targets.json");
    TufClient client = client();
    client.updateRoot();
    client.updateTimestamp();
    client.updateSnapshot();
    assertThrows(TufException.VersionMismatch.class, client::updateTargets);
  }

  @Test // testTargetsUpdate_targetExpired
  void expiredTargetsAreRefused() throws Exception {
    mirror("targets-expired", "2.root.json", "timestamp.json", "3.snapshot.json", "3.targets.json");
    TufClient client = client("2022-11-20T18:07:27Z");
    client.updateRoot();
    client.updateTimestamp();
    client.updateSnapshot();
    assertThrows(TufException.Expired.class, client::updateTargets);
  }

  @Test // testTargetsDownload_targetMissingTargetMetadata
  void targetWithoutLengthAndHashesIsMalformed() throws Exception {
    mirror(
        "targets-download-missing-target-metadata",
        "2.root.json",
        "timestamp.json",
        "3.snapshot.json",
        "3.targets.json");
    TufClient client = client();
    client.updateRoot();
    client.updateTimestamp();
    client.updateSnapshot();
    TufException.Malformed e = assertThrows(TufException.Malformed.class, client::updateTargets);
    assertTrue(e.getMessage().contains("target 'test.txt'"), e.getMessage());
  }

  // --- target files (5.7) ---

  @Test // testTargetsDownload_targetFileNotFound
  void missingTargetFileIsNotFound() throws Exception {
    mirror("test-template", "2.root.json", "timestamp.json", "3.snapshot.json", "3.targets.json");
    TufClient client = client();
    updateToTargets(client);
    assertThrows(TufException.NotFound.class, () -> client.download("test.txt"));
    assertThrows(TufException.NotFound.class, () -> client.download("not-listed.txt"));
  }

  @Test // testTargetsDownload_targetInvalidLength
  void targetLongerThanListedIsRefused() throws Exception {
    mirror(
        "targets-download-invalid-length",
        "2.root.json",
        "timestamp.json",
        "3.snapshot.json",
        "3.targets.json",
        TEST_TXT);
    TufClient client = client();
    updateToTargets(client);
    assertThrows(TufException.TooLarge.class, () -> client.download("test.txt"));
  }

  @Test // testTargetsDownload_targetFileInvalidHash
  void targetWithAnotherHashIsRefusedAndNotStored() throws Exception {
    mirror(
        "targets-download-invalid-hash",
        "2.root.json",
        "timestamp.json",
        "3.snapshot.json",
        "3.targets.json",
        TEST_TXT);
    TufClient client = client();
    updateToTargets(client);
    assertThrows(TufException.HashMismatch.class, () -> client.download("test.txt"));
    assertTrue(Files.notExists(store.resolve("targets/test.txt")));
  }

  @Test // testTargetsDownload_success
  void everyTargetDownloadsAndIsStored() throws Exception {
    Path template = vector("test-template");
    mirror("test-template", "2.root.json", "timestamp.json", "3.snapshot.json", "3.targets.json");
    try (var files = Files.list(template.resolve("targets"))) {
      files.forEach(f -> server.put("targets/" + f.getFileName(), f));
    }
    TufClient client = client();
    assertEquals(3, client.refresh().targets().size());
    assertArrayEquals(Files.readAllBytes(template.resolve(TEST_TXT)), client.download("test.txt"));
    client.download("test.txt.v2");
    client.download("test2.txt");
    assertArrayEquals(
        Files.readAllBytes(template.resolve(TEST_TXT)),
        Files.readAllBytes(store.resolve("targets/test.txt")));
  }

  @Test // testTargetsDownload_sha256Only
  void targetsListedWithSha256OnlyOrSha512OnlyDownload() throws Exception {
    // sigstore-java fetches versioned names even here; this root says consistent_snapshot false,
    // so a client that follows the spec asks for the plain names, which the mirror also serves
    Path dir = vector("targets-sha256-or-sha512");
    mirror("targets-sha256-or-sha512", "1.root.json", "2.root.json", "timestamp.json");
    server.put("snapshot.json", dir.resolve("2.snapshot.json"));
    server.put("targets.json", dir.resolve("1.targets.json"));
    server.put(
        "targets/test.txt",
        dir.resolve(
            "targets/55f8718109829bf506b09d8af615b9f107a266e19f7a311039d1035f180b22d4.test.txt"));
    server.put(
        "targets/test2.txt",
        dir.resolve(
            "targets/2dff935df7d1e1221ef52c753091c487c6fdaabbb0b0e2b193764de8cd7c1222776c61d7ef21f20a4d031a6a6bfa631713df7c4f71b4ee21d362152d4618d514.test2.txt"));
    TufClient client = client(dir.resolve("root.json"), DEFAULT_TIME);
    client.refresh();
    assertEquals(10, client.download("test.txt").length);
    assertEquals(6, client.download("test2.txt").length);
  }

  @Test // targets in subdirectories: <dir>/<hash>.<basename> under consistent snapshots
  void targetInASubdirectoryIsFetchedByItsHashPrefixedName() throws Exception {
    Path dir = vector("targets-with-subdirs");
    mirror(
        "targets-with-subdirs",
        "timestamp.json",
        "1.snapshot.json",
        "1.targets.json",
        "targets/subdir/860de8f9a858eea7190fcfa1b53fe55914d3c38f17f8f542273012d19cc9509bb423f37b7c13c577a56339ad7f45273b479b1d0df837cb6e20a550c27cce0885.test.txt");
    TufClient client = client(dir.resolve("root.json"), DEFAULT_TIME);
    client.refresh();
    assertEquals(10, client.download("subdir/test.txt").length);
  }
}
