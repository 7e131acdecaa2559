package io.portcullis.testkit.dct;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.core.dct.DctVerifier;
import io.portcullis.core.dct.Gun;
import io.portcullis.core.dct.NotaryKeyTypes;
import io.portcullis.core.dct.RootKeyPins;
import io.portcullis.core.dct.RootTrust;
import io.portcullis.core.dct.SignedTag;
import io.portcullis.core.dct.TrustData;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.tuf.HttpTufRemote;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufLimits;
import io.portcullis.core.tuf.TufMetadataStore;
import io.portcullis.core.tuf.TufRemote;
import io.portcullis.core.x509.DevPki;
import io.portcullis.testkit.NotaryClient;
import io.portcullis.testkit.NotaryProcess;
import io.portcullis.testkit.RequiredTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust data published by the real {@code notary} client to a real {@code notary-server}, read back
 * over HTTPS and verified by trust-core's {@link DctVerifier}: what Docker Content Trust signs is
 * what the verifier resolves, and what it must not accept it refuses.
 */
class NotaryTrustIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger REPOSITORIES = new AtomicInteger();
  private static NotaryProcess notary;

  @TempDir Path work;

  @BeforeAll
  static void startNotary() {
    RequiredTools.check("notary", "notary-server");
    notary = NotaryProcess.start();
    System.out.println("notary-server healthy after " + notary.startTime().toMillis() + " ms");
  }

  @AfterAll
  static void stopNotary() {
    if (notary != null) {
      notary.close();
    }
  }

  /** A fresh GUN per test, as docker trust would name an upstream repository. */
  private static String newGun() {
    return "registry.test:5000/team/app" + REPOSITORIES.incrementAndGet();
  }

  private record Manifest(byte[] bytes) {
    Digest digest() {
      return Digest.sha256(bytes);
    }
  }

  private static Manifest manifest(String text) {
    return new Manifest(
        ("{\"schemaVersion\":2,\"annotations\":{\"t\":\"" + text + "\"}}")
            .getBytes(StandardCharsets.UTF_8));
  }

  private static void sign(
      NotaryClient client, String gun, String tag, Manifest m, String... roles) {
    client.addHash(gun, tag, m.bytes().length, m.digest().hex(), roles).orThrow();
  }

  private static void publish(NotaryClient client, String gun) {
    long start = System.nanoTime();
    client.publish(gun).orThrow();
    System.out.println(
        "notary publish " + gun + ": " + (System.nanoTime() - start) / 1_000_000 + " ms");
  }

  /** A new GUN's repository and the client that made it. */
  private record Repository(String gun, NotaryClient client) {}

  /** A repository of a new GUN with {@code v1} signed as {@code m} and published. */
  private static Repository withV1(Manifest m) {
    String gun = newGun();
    NotaryClient client = notary.client();
    client.init(gun).orThrow();
    sign(client, gun, "v1", m);
    publish(client, gun);
    return new Repository(gun, client);
  }

  private TufRemote remote(String gun) {
    return new HttpTufRemote(notary.metadataUrl(gun), Duration.ofSeconds(10), notary.sslContext());
  }

  private TrustData verify(String gun, RootTrust trust, Path store) throws Exception {
    return verify(gun, trust, store, remote(gun));
  }

  private static TrustData verify(String gun, RootTrust trust, Path store, TufRemote remote)
      throws Exception {
    return verify(gun, trust, store, remote, Clock.systemUTC());
  }

  private static TrustData verify(
      String gun, RootTrust trust, Path store, TufRemote remote, Clock clock) throws Exception {
    return DctVerifier.verify(
        new DctVerifier.Settings(
            new Gun(gun), remote, new TufMetadataStore(store), trust, clock, TufLimits.DEFAULT));
  }

  /** A releases delegation to a development signer, whose key the client imports to sign with. */
  private PublicKey delegateReleases(NotaryClient client, String gun) throws IOException {
    return client.delegateToNewSigner(gun, "targets/releases", work.resolve("releaser"));
  }

  /** The id the notary client named its private key of {@code role} by (its PEM header). */
  private static String privateKeyId(NotaryClient client, String role) throws IOException {
    try (Stream<Path> keys = Files.list(client.trustDir().resolve("private"))) {
      for (Path key : (Iterable<Path>) keys::iterator) {
        if (Files.readString(key, StandardCharsets.US_ASCII).contains("role: " + role + "\n")) {
          String name = key.getFileName().toString();
          return name.substring(0, name.length() - ".key".length());
        }
      }
    }
    throw new AssertionError("the notary client holds no " + role + " key");
  }

  /** The id under which {@code metadata}'s delegation keys list the given public key. */
  private static String delegationKeyId(byte[] targetsJson, PublicKey key) throws IOException {
    JsonNode keys = JSON.readTree(targetsJson).path("signed").path("delegations").path("keys");
    for (var entry : keys.properties()) {
      Optional<PublicKey> listed = NotaryKeyTypes.publicKey(entry.getValue());
      if (listed.isPresent() && Arrays.equals(listed.get().getEncoded(), key.getEncoded())) {
        return entry.getKey();
      }
    }
    throw new AssertionError("targets.json does not list the releases key");
  }

  @Test
  void signedTagsResolveToTheirDigestLengthRoleAndSigners() throws Exception {
    String gun = newGun();
    NotaryClient client = notary.client();
    client.init(gun).orThrow();
    Manifest base = manifest("base");
    Manifest released = manifest("released");
    Manifest shadowed = manifest("shadowed by the release");
    sign(client, gun, "base", base);
    sign(client, gun, "both", shadowed);
    publish(client, gun);
    PublicKey releaser = delegateReleases(client, gun);
    sign(client, gun, "v1", released, "targets/releases");
    sign(client, gun, "both", released, "targets/releases");
    publish(client, gun);

    TrustData data = verify(gun, new RootTrust.FirstUse(), work.resolve("store"));

    String targetsKey = privateKeyId(client, "targets");
    SignedTag baseTag = data.resolve("base", DctVerifier.DOCKER_ROLES);
    assertEquals(base.digest(), baseTag.digest());
    assertEquals(base.bytes().length, baseTag.length());
    assertEquals("targets", baseTag.role());
    assertEquals(Set.of(targetsKey), baseTag.signerKeyIds());

    byte[] targetsJson = remote(gun).fetch("targets.json", 1 << 20).orElseThrow();
    String releasesKey = delegationKeyId(targetsJson, releaser);
    SignedTag v1 = data.resolve("v1", DctVerifier.DOCKER_ROLES);
    assertEquals(released.digest(), v1.digest());
    assertEquals(released.bytes().length, v1.length());
    assertEquals("targets/releases", v1.role());
    assertEquals(Set.of(releasesKey), v1.signerKeyIds());

    // docker asks targets/releases first: its target wins over the targets role's
    assertEquals(released.digest(), data.resolve("both", DctVerifier.DOCKER_ROLES).digest());
    assertEquals(shadowed.digest(), data.resolve("both", List.of("targets")).digest());
    // a policy that accepts only the releases delegation does not take a targets-only tag
    assertThrows(
        TufException.NotFound.class, () -> data.resolve("base", List.of("targets/releases")));

    // the notary client itself agrees on the digest
    assertTrue(client.list(gun).orThrow().stdout().contains(released.digest().hex()));
    assertEquals(
        List.of("both", "v1"),
        data.signedFor(released.digest(), List.of("targets/releases")).stream()
            .map(SignedTag::tag)
            .sorted()
            .toList());

    TufException.NotFound unsigned =
        assertThrows(
            TufException.NotFound.class, () -> data.resolve("v2", DctVerifier.DOCKER_ROLES));
    assertTrue(unsigned.getMessage().contains("tag v2 of " + gun + " has no signed target"));
  }

  @Test
  void aRootSignedByThePinnedKeyIsTrustedAndAnUnpinnedOneIsRefused() throws Exception {
    Repository repo = withV1(manifest("pinned"));
    String gun = repo.gun();
    NotaryClient client = repo.client();

    // notary names the root's private key by its canonical id: the id of the certificate's key
    String rootKeyId = privateKeyId(client, "root");
    TrustData pinned =
        verify(
            gun, new RootTrust.Pinned(RootKeyPins.ofKeyIds(List.of(rootKeyId))), work.resolve("a"));
    assertEquals(
        manifest("pinned").digest(), pinned.resolve("v1", DctVerifier.DOCKER_ROLES).digest());

    RootKeyPins otherKey = RootKeyPins.ofPem(CertificatePem.encode(DevPki.generate().root()));
    TufException.Untrusted refused =
        assertThrows(
            TufException.Untrusted.class,
            () -> verify(gun, new RootTrust.Pinned(otherKey), work.resolve("b")));
    assertTrue(refused.getMessage().contains("not signed by a threshold of the pinned root keys"));
  }

  @Test
  void aRotatedRootIsAcceptedWhenItChainsFromTheTrustedOne() throws Exception {
    Repository repo = withV1(manifest("before rotation"));
    String gun = repo.gun();
    NotaryClient client = repo.client();
    String oldRootKey = privateKeyId(client, "root");
    Path store = work.resolve("tofu");
    verify(gun, new RootTrust.FirstUse(), store); // records root version 1

    long start = System.nanoTime();
    client.rotateKey(gun, "root").orThrow();
    System.out.println(
        "notary key rotate root: " + (System.nanoTime() - start) / 1_000_000 + " ms");
    sign(client, gun, "v2", manifest("after rotation"));
    publish(client, gun);

    TrustData rotated = verify(gun, new RootTrust.FirstUse(), store);
    assertEquals(
        manifest("after rotation").digest(),
        rotated.resolve("v2", DctVerifier.DOCKER_ROLES).digest());
    JsonNode stored = JSON.readTree(Files.readAllBytes(store.resolve("root.json")));
    assertEquals(2, stored.path("signed").path("version").asInt());

    // notary signs a rotated root with the old root key too, so a pin of the old key still holds
    TrustData pinnedOld =
        verify(
            gun,
            new RootTrust.Pinned(RootKeyPins.ofKeyIds(List.of(oldRootKey))),
            work.resolve("pinned-old"));
    assertEquals(
        manifest("after rotation").digest(),
        pinnedOld.resolve("v2", DctVerifier.DOCKER_ROLES).digest());
  }

  @Test
  void tamperedMetadataIsRefused() throws Exception {
    String gun = withV1(manifest("genuine")).gun();
    verify(gun, new RootTrust.FirstUse(), work.resolve("genuine"));

    // a digest changed in targets.json: the snapshot's hashes no longer match
    assertThrows(
        TufException.HashMismatch.class,
        () ->
            verify(
                gun,
                new RootTrust.FirstUse(),
                work.resolve("targets"),
                tampering(remote(gun), "targets.json", "\"length\":", "\"length\":1")));
    // the timestamp's expiry pushed out: its signature no longer verifies
    assertThrows(
        TufException.ThresholdNotMet.class,
        () ->
            verify(
                gun,
                new RootTrust.FirstUse(),
                work.resolve("timestamp"),
                tampering(remote(gun), "timestamp.json", "\"expires\":\"20", "\"expires\":\"21")));
  }

  @Test
  void theServersTimestampIsRefusedOnceItsFourteenDaysHavePassed() throws Exception {
    String gun = withV1(manifest("fresh")).gun();
    Clock in13Days = Clock.offset(Clock.systemUTC(), Duration.ofDays(13));
    verify(gun, new RootTrust.FirstUse(), work.resolve("a"), remote(gun), in13Days);
    Clock in15Days = Clock.offset(Clock.systemUTC(), Duration.ofDays(15));
    TufException.Expired e =
        assertThrows(
            TufException.Expired.class,
            () -> verify(gun, new RootTrust.FirstUse(), work.resolve("b"), remote(gun), in15Days));
    assertTrue(e.getMessage().startsWith("timestamp.json expired"), e.getMessage());
  }

  /** The server's files with {@code from} replaced by {@code to} in one of them. */
  private static TufRemote tampering(TufRemote real, String file, String from, String to) {
    return (path, maxBytes) -> {
      Optional<byte[]> bytes = real.fetch(path, maxBytes);
      if (!path.equals(file) || bytes.isEmpty()) {
        return bytes;
      }
      String text = new String(bytes.get(), StandardCharsets.UTF_8);
      assertTrue(text.contains(from), file + " has no " + from);
      return Optional.of(
          text.replaceFirst(java.util.regex.Pattern.quote(from), to)
              .getBytes(StandardCharsets.UTF_8));
    };
  }
}
