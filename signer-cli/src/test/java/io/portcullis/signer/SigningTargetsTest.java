package io.portcullis.signer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.registry.RegistryClient;
import io.portcullis.core.registry.RegistryClientConfig;
import io.portcullis.core.registry.RegistryProtocolException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code sign --recursive} signs, against a {@link FakeRegistry} that serves index shapes a
 * real registry may refuse: nested indexes and repeated entries are walked once each, and a broken
 * entry stops the command before anything is signed.
 */
class SigningTargetsTest {
  static FakeRegistry registry;
  static RegistryClient client;
  @TempDir static Path keys;

  @BeforeAll
  static void start() {
    registry = new FakeRegistry();
    client =
        RegistryClient.create(
            new RegistryClientConfig(null, Set.of(registry.host()), Duration.ofSeconds(10)));
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  static Descriptor image(String repo, String content) {
    Descriptor config =
        registry.blob(repo, MediaTypes.OCI_CONFIG, "{}".getBytes(StandardCharsets.UTF_8));
    Descriptor layer =
        registry.blob(repo, MediaTypes.OCI_LAYER_GZIP, content.getBytes(StandardCharsets.UTF_8));
    return registry.manifest(
        repo,
        null,
        MediaTypes.OCI_MANIFEST,
        new ImageManifest(2, MediaTypes.OCI_MANIFEST, null, config, List.of(layer), null, null));
  }

  static Descriptor index(String repo, String tag, List<Descriptor> entries) {
    return registry.manifest(
        repo,
        tag,
        MediaTypes.OCI_INDEX,
        new ImageIndex(2, MediaTypes.OCI_INDEX, null, entries, null, null));
  }

  @Test
  void nestedIndexesAndRepeatedEntriesAreEachSignedOnce() {
    Descriptor amd64 = image("walk/app", "amd64");
    Descriptor arm64 = image("walk/app", "arm64");
    Descriptor inner = index("walk/app", null, List.of(arm64, amd64));
    Descriptor top = index("walk/app", "v1", List.of(amd64, inner, amd64));

    List<String> signed =
        SigningTargets.of(client, registry.host() + "/walk/app:v1", true).stream()
            .map(t -> t.digest().toString())
            .toList();

    assertEquals(List.of(top.digest(), amd64.digest(), inner.digest(), arm64.digest()), signed);
  }

  @Test
  void withoutRecursiveOnlyTheNamedManifest() {
    Descriptor child = image("single/app", "x");
    Descriptor top = index("single/app", "v1", List.of(child));
    List<ResolvedImage> targets =
        SigningTargets.of(client, registry.host() + "/single/app:v1", false);
    assertEquals(1, targets.size());
    assertEquals(top.digest(), targets.get(0).digest().toString());
  }

  @Test
  void aBrokenEntryStopsTheCommandBeforeAnythingIsSigned() throws Exception {
    Descriptor good = image("broken/app", "ok");
    Descriptor bad =
        new Descriptor(MediaTypes.OCI_MANIFEST, "sha256:short", 2, null, null, null, null);
    index("broken/app", "v1", List.of(good, bad));
    RegistryProtocolException e =
        assertThrows(
            RegistryProtocolException.class,
            () -> SigningTargets.of(client, registry.host() + "/broken/app:v1", true));
    assertTrue(e.getMessage().contains("invalid digest"), e.getMessage());

    Path password = Files.writeString(keys.resolve("pw.txt"), "pw\n");
    CliRun.ok("keygen", "--password-file=" + password, "--out", keys.resolve("k").toString());
    CliRun run =
        CliRun.of(
            "sign",
            "--insecure-registry=" + registry.host(),
            "--password-file=" + password,
            "--recursive",
            "--key",
            keys.resolve("k.key").toString(),
            registry.host() + "/broken/app:v1");
    assertEquals(ExitCodes.COULD_NOT_VERIFY, run.exitCode(), run.toString());
    assertTrue(run.err().contains("invalid digest"), run.toString());
    assertEquals(0, registry.count("(PUT|POST|PATCH)", ".*"), "nothing was pushed");
  }
}
