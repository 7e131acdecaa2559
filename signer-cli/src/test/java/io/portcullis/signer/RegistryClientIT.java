package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import io.portcullis.core.registry.CredentialSource;
import io.portcullis.core.registry.Credentials;
import io.portcullis.core.registry.FetchedManifest;
import io.portcullis.core.registry.ImageReference;
import io.portcullis.core.registry.PushedManifest;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryClientConfig;
import io.portcullis.core.registry.RegistryException;
import io.portcullis.core.registry.RegistryNotFoundException;
import io.portcullis.core.registry.RegistryProtocolException;
import io.portcullis.core.registry.RegistryUnauthorizedException;
import io.portcullis.core.registry.RegistryUnreachableException;
import io.portcullis.core.registry.RemoteRepository;
import io.portcullis.testkit.RegistryProcess;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * trust-core's registry client against a real docker-registry (CNCF distribution 2.8, which has no
 * referrers API). It lives here because signer-cli is the module with testkit on its test path.
 */
class RegistryClientIT {
  static RegistryProcess registry;
  static RegistryClient client;

  @BeforeAll
  static void start() {
    registry = RegistryProcess.start();
    client =
        RegistryClient.create(
            new RegistryClientConfig(null, Set.of(registry.hostPort()), Duration.ofSeconds(10)));
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  private static RemoteRepository repo(String name) {
    return RemoteRepository.of(registry.hostPort(), name);
  }

  /** Pushes a one-layer image and returns its manifest bytes. */
  private static byte[] pushImage(RemoteRepository repo, String tag, String content) {
    return OneLayerImages.push(client, repo, tag, content);
  }

  private static byte[] referrer(Descriptor subject, String artifactType, String note) {
    Descriptor config =
        client.pushBlob(repo("app"), "{}".getBytes(StandardCharsets.UTF_8), MediaTypes.OCI_EMPTY);
    Descriptor layer =
        client.pushBlob(repo("app"), note.getBytes(StandardCharsets.UTF_8), "text/plain");
    return ManifestCodec.write(
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            artifactType,
            config,
            List.of(layer),
            subject,
            Map.of("note", note)));
  }

  @Test
  void pushesAndPullsExactBytesByTagAndDigest() {
    RemoteRepository repo = repo("team/app");
    byte[] manifest = pushImage(repo, "v1", "layer-one");
    Digest digest = Digest.sha256(manifest);

    ImageReference byTag = ImageReference.parse(registry.hostPort() + "/team/app:v1");
    assertEquals(digest, client.resolve(byTag));
    FetchedManifest fetched = client.getManifest(byTag.withDigest(digest));
    assertArrayEquals(manifest, fetched.bytes());
    assertEquals(MediaTypes.OCI_MANIFEST, fetched.mediaType());
    assertEquals(
        Optional.of(Descriptor.of(MediaTypes.OCI_MANIFEST, digest, manifest.length)),
        client.headManifest(repo, Reference.of(digest)));

    Descriptor layer = fetched.asManifest().layers().get(0);
    assertTrue(client.blobExists(repo, layer.parsedDigest()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertEquals(9, client.fetchBlob(repo, layer.parsedDigest(), out, 1024));
    assertEquals("layer-one", out.toString(StandardCharsets.UTF_8));
    assertThrows(
        RegistryProtocolException.class, () -> client.fetchBlob(repo, layer.parsedDigest(), 4));
    assertTrue(client.listTags(repo).contains(Tag.of("v1")));
  }

  @Test
  void absentThingsAreNotFound() {
    RemoteRepository repo = repo("team/absent");
    assertThrows(
        RegistryNotFoundException.class,
        () -> client.getManifest(repo, Reference.of(Tag.of("nope"))));
    assertEquals(Optional.empty(), client.headManifest(repo, Reference.of(Tag.of("nope"))));
    assertThrows(
        RegistryNotFoundException.class,
        () -> client.resolve(ImageReference.parse(registry.hostPort() + "/team/absent:nope")));
    assertFalse(client.blobExists(repo, Digest.sha256(new byte[] {1})));
    assertTrue(
        client
            .referrers(repo, Digest.sha256(new byte[] {1}), Optional.empty())
            .manifests()
            .isEmpty());
  }

  @Test
  void maintainsTheReferrersTagWhenTheRegistryHasNoReferrersApi() {
    RemoteRepository repo = repo("app");
    byte[] image = pushImage(repo, "latest", "app-layer");
    Digest subjectDigest = Digest.sha256(image);
    Descriptor subject = Descriptor.of(MediaTypes.OCI_MANIFEST, subjectDigest, image.length);

    byte[] sig = referrer(subject, "application/vnd.example.sig", "one");
    PushedManifest first = client.pushManifest(repo, sig, MediaTypes.OCI_MANIFEST);
    assertTrue(first.referrersTagUpdated(), "docker-registry 2.8 does not answer OCI-Subject");
    byte[] sbom = referrer(subject, "application/vnd.example.sbom", "two");
    client.pushManifest(repo, sbom, MediaTypes.OCI_MANIFEST);
    assertFalse(
        client.pushManifest(repo, sig, MediaTypes.OCI_MANIFEST).referrersTagUpdated(),
        "pushing the same referrer twice does not duplicate it");

    ImageIndex all = client.referrers(repo, subjectDigest, Optional.empty());
    assertEquals(
        List.of(Digest.sha256(sig).toString(), Digest.sha256(sbom).toString()),
        all.manifests().stream().map(Descriptor::digest).toList());
    Descriptor listed = all.manifests().get(0);
    assertEquals("application/vnd.example.sig", listed.artifactType());
    assertEquals(Map.of("note", "one"), listed.annotations());
    assertEquals(sig.length, listed.size());

    ImageIndex sboms =
        client.referrers(repo, subjectDigest, Optional.of("application/vnd.example.sbom"));
    assertEquals(1, sboms.manifests().size());
    assertEquals(Digest.sha256(sbom).toString(), sboms.manifests().get(0).digest());
    assertTrue(client.listTags(repo).contains(Tag.of(subjectDigest.referrersTag())));
  }

  @Test
  void stoppedRegistryIsUnreachable() {
    String host;
    try (RegistryProcess shortLived = RegistryProcess.start()) {
      host = shortLived.hostPort();
    }
    RegistryClient fresh =
        RegistryClient.create(new RegistryClientConfig(null, Set.of(host), Duration.ofSeconds(5)));
    assertThrows(
        RegistryUnreachableException.class,
        () -> fresh.resolve(ImageReference.parse(host + "/team/app:v1")));
  }

  @Test
  void basicAuthRegistryNeedsTheRightCredentials() {
    try (RegistryProcess locked = RegistryProcess.builder().basicAuth("alice", "pw").start()) {
      RemoteRepository repo = RemoteRepository.of(locked.hostPort(), "team/app");
      RegistryClient alice = clientFor(locked, new Credentials("alice", "pw"));
      Descriptor blob = alice.pushBlob(repo, "{}".getBytes(StandardCharsets.UTF_8), "x/y");
      assertTrue(alice.blobExists(repo, blob.parsedDigest()));

      RegistryException wrong =
          assertThrows(
              RegistryUnauthorizedException.class,
              () ->
                  clientFor(locked, new Credentials("alice", "nope"))
                      .blobExists(repo, blob.parsedDigest()));
      assertTrue(!wrong.getMessage().contains("nope"), wrong.getMessage());
      assertThrows(
          RegistryUnauthorizedException.class,
          () ->
              RegistryClient.create(
                      new RegistryClientConfig(
                          null, Set.of(locked.hostPort()), Duration.ofSeconds(5)))
                  .blobExists(repo, blob.parsedDigest()));
    }
  }

  private static RegistryClient clientFor(RegistryProcess target, Credentials credentials) {
    CredentialSource source = host -> Optional.of(credentials);
    return RegistryClient.create(
        new RegistryClientConfig(source, Set.of(target.hostPort()), Duration.ofSeconds(5)));
  }
}
