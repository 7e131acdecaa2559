package io.portcullis.core.tuf;

import static io.portcullis.core.tuf.TestRepository.sign;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.testing.StaticHttpServer;
import io.portcullis.core.tuf.TestRepository.Key;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client rules no vector exercises, on repositories signed in the test. */
class TufClientTest {
  private static final Clock NOW =
      Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

  @TempDir Path store;
  private final StaticHttpServer server = new StaticHttpServer();
  private final Key a = TestRepository.ecdsa("a");
  private final Key b = TestRepository.ecdsa("b");
  private final Key online = TestRepository.ecdsa("online");

  @AfterEach
  void stop() {
    server.close();
  }

  private TufClient client(byte[] pinnedRoot) throws Exception {
    return TufClient.open(
        TufClient.Settings.of(
            new HttpTufRemote(server.uri(), Duration.ofSeconds(5)),
            new TufMetadataStore(store),
            pinnedRoot,
            NOW));
  }

  private static Map<String, List<Key>> roles(List<Key> root, Key timestamp, Key other) {
    return Map.of(
        "root",
        root,
        "timestamp",
        List.of(timestamp),
        "snapshot",
        List.of(other),
        "targets",
        List.of(other));
  }

  private byte[] firstRoot() {
    return sign(TestRepository.root(1, 2, roles(List.of(a, b), online, online)), a, b);
  }

  @Test
  void aThresholdCountsEachKeyOnceHoweverOftenItSigned() throws Exception {
    var next = TestRepository.root(2, 2, roles(List.of(a, b), online, online));
    server.put("2.root.json", sign(next, a, a, a));

    TufException.ThresholdNotMet e =
        assertThrows(TufException.ThresholdNotMet.class, client(firstRoot())::updateRoot);

    assertEquals(1, e.verified());
    assertEquals(2, e.threshold());
  }

  @Test
  void aThresholdCountsDistinctKeysNotKeyIdsThatNameTheSameKey() throws Exception {
    // the same public key listed under a second key id must not count twice
    Key alias = new Key("a-again", a.keytype(), a.scheme(), a.publicValue(), a.pair());
    var next = TestRepository.root(2, 2, roles(List.of(a, alias), online, online));
    server.put("2.root.json", sign(next, a, b, alias));

    TufException.ThresholdNotMet e =
        assertThrows(TufException.ThresholdNotMet.class, client(firstRoot())::updateRoot);

    assertEquals(1, e.verified());
    assertEquals(2, e.threshold());
  }

  @Test
  void aNewRootMustAlsoBeSignedByAThresholdOfItsOwnKeys() throws Exception {
    Key c = TestRepository.ecdsa("c");
    var next = TestRepository.root(2, 1, roles(List.of(c), online, online));
    server.put("2.root.json", sign(next, a, b)); // the old keys, not the new one

    TufException.ThresholdNotMet e =
        assertThrows(TufException.ThresholdNotMet.class, client(firstRoot())::updateRoot);
    assertEquals(0, e.verified());

    server.put("2.root.json", sign(next, a, b, c));
    assertEquals(2, client(firstRoot()).updateRoot().version());
  }

  @Test
  void rotatingTheTimestampKeyDropsTheStoredTimestampSoAFastForwardIsRecovered() throws Exception {
    // a compromised timestamp key pushed version 1000; the root rotates that key away
    byte[] snapshotFile = sign(TestRepository.snapshot(1, new byte[0], 1), online);
    Files.write(
        store.resolve("timestamp.json"),
        sign(TestRepository.timestamp(1000, snapshotFile, 1), online));
    Key fresh = TestRepository.ecdsa("fresh");
    server.put(
        "2.root.json", sign(TestRepository.root(2, 2, roles(List.of(a, b), fresh, online)), a, b));
    server.put("timestamp.json", sign(TestRepository.timestamp(5, snapshotFile, 1), fresh));
    TufClient client = client(firstRoot());

    client.updateRoot();
    assertFalse(Files.exists(store.resolve("timestamp.json")));
    assertEquals(5, client.updateTimestamp().version());
  }

  @Test
  void ed25519AndRsaPssKeysVerify() throws Exception {
    Key ed = TestRepository.ed25519("ed");
    Key rsa = TestRepository.rsa("rsa");
    byte[] root = sign(TestRepository.root(1, 1, roles(List.of(ed), rsa, online)), ed);
    byte[] snapshotFile = sign(TestRepository.snapshot(1, new byte[0], 1), online);
    server.put("timestamp.json", sign(TestRepository.timestamp(1, snapshotFile, 1), rsa));
    TufClient client = client(root);
    client.updateRoot();

    assertEquals(1, client.updateTimestamp().version());
  }

  @Test
  void aKeyOfAnUnknownTypeIsSkippedNotFatal() throws Exception {
    var signed = TestRepository.root(1, 1, roles(List.of(a), online, online));
    signed
        .with("keys")
        .putObject("future")
        .put("keytype", "sphincs")
        .put("scheme", "sphincs")
        .putObject("keyval")
        .put("public", "00");
    signed.with("roles").with("root").withArray("keyids").add("future");

    assertEquals(1, client(sign(signed, a)).trustedRoot().version());
  }

  /** A complete repository with one target set, consistent snapshots on. */
  private TufClient fullRepository(Map<String, byte[]> files) throws Exception {
    byte[] targetsFile = sign(TestRepository.targets(1, files), online);
    byte[] snapshotFile = sign(TestRepository.snapshot(1, targetsFile, 1), online);
    server.put("timestamp.json", sign(TestRepository.timestamp(1, snapshotFile, 1), online));
    server.put("1.snapshot.json", snapshotFile);
    server.put("1.targets.json", targetsFile);
    files.forEach(
        (name, bytes) -> {
          int slash = name.lastIndexOf('/');
          server.put(
              "targets/"
                  + name.substring(0, slash + 1)
                  + TestRepository.sha256(bytes)
                  + "."
                  + name.substring(slash + 1),
              bytes);
        });
    TufClient client = client(firstRoot());
    client.refresh();
    return client;
  }

  private static ObjectNode delegation(
      String name, Key key, boolean terminating, String field, String value) {
    var role = TestRepository.JSON.objectNode().put("name", name).put("threshold", 1);
    role.putArray("keyids").add(key.id());
    role.putArray(field).add(value);
    return role.put("terminating", terminating);
  }

  @Test
  void delegationsAreSearchedInOrderSignedByTheDelegatorsKeysAndStopAtATerminatingRole()
      throws Exception {
    Key delegate = TestRepository.ecdsa("delegate");
    Key stranger = TestRepository.ecdsa("stranger");
    byte[] x = "x".getBytes(StandardCharsets.UTF_8);
    String hashed = TestRepository.sha256("h/x".getBytes(StandardCharsets.UTF_8)).substring(0, 2);
    var top = TestRepository.targets(1, Map.of());
    var delegations = top.putObject("delegations");
    delegations.putObject("keys").set(delegate.id(), delegate.json());
    delegations
        .putArray("roles")
        .add(delegation("forged", delegate, false, "paths", "evil/*"))
        .add(delegation("stop", delegate, true, "paths", "t/*"))
        .add(delegation("after", delegate, false, "paths", "t/*"))
        .add(delegation("hashed", delegate, false, "path_hash_prefixes", hashed));
    Map<String, byte[]> files =
        Map.of(
            "targets.json", sign(top, online),
            "forged.json", sign(TestRepository.targets(1, Map.of("evil/x", x)), stranger),
            "stop.json", sign(TestRepository.targets(1, Map.of()), delegate),
            "after.json", sign(TestRepository.targets(1, Map.of("t/x", x)), delegate),
            "hashed.json", sign(TestRepository.targets(1, Map.of("h/x", x)), delegate));
    var snapshot = TestRepository.common("snapshot", 1);
    var meta = snapshot.putObject("meta");
    files.forEach(
        (name, bytes) -> {
          meta.putObject(name).put("version", 1);
          server.put("1." + name, bytes);
        });
    byte[] snapshotFile = sign(snapshot, online);
    server.put("1.snapshot.json", snapshotFile);
    server.put("timestamp.json", sign(TestRepository.timestamp(1, snapshotFile, 1), online));
    server.put("targets/h/" + TestRepository.sha256(x) + ".x", x);
    TufClient client = client(firstRoot());
    client.refresh();

    assertArrayEquals(x, client.download("h/x"));
    TufException.ThresholdNotMet forged =
        assertThrows(TufException.ThresholdNotMet.class, () -> client.download("evil/x"));
    assertEquals(
        "1.forged.json is signed by 0 valid forged key(s), threshold 1", forged.getMessage());
    assertThrows(TufException.NotFound.class, () -> client.download("t/x"));
    assertFalse(server.requests().contains("1.after.json"), "a terminating role ends the search");
  }

  @Test
  void aStoredTargetThatStillMatchesIsNotFetchedAgain() throws Exception {
    byte[] content = "content".getBytes(StandardCharsets.UTF_8);
    TufClient client = fullRepository(Map.of("dir/file.txt", content));

    assertArrayEquals(content, client.download("dir/file.txt"));
    int fetches = server.requests().size();
    assertArrayEquals(content, client.download("dir/file.txt"));
    assertEquals(fetches, server.requests().size());
  }

  @Test
  void targetNamesThatLeaveTheTargetsDirectoryAreRefused() throws Exception {
    TufClient client = fullRepository(Map.of("../escape", new byte[] {1}, "a//b", new byte[] {2}));

    assertThrows(TufException.Malformed.class, () -> client.download("../escape"));
    assertThrows(TufException.Malformed.class, () -> client.download("a//b"));
  }

  @Test
  void aTargetListedAsLongerThanTheCallersCapIsRefusedBeforeFetching() throws Exception {
    TufClient client = fullRepository(Map.of("big", new byte[4096]));
    int before = server.requests().size();

    TufException.TooLarge e =
        assertThrows(TufException.TooLarge.class, () -> client.download("big", 1024));

    assertTrue(e.getMessage().contains("4096"), e.getMessage());
    assertEquals(before, server.requests().size());
  }
}
