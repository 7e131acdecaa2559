package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk format of manifests, tags and evidence: atomic writes, damaged files ignored. */
class ManifestStoreTest {
  private static final String REPO = "hub/library/alpine";
  @TempDir Path dir;

  private static Fetched manifest(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    return new Fetched(bytes, MediaTypes.OCI_MANIFEST, Digest.sha256(bytes));
  }

  @Test
  void aManifestAndItsTagSurviveAReload() throws Exception {
    ManifestStore store = new ManifestStore(dir);
    store.load();
    Fetched m = manifest("{\"schemaVersion\":2}");
    store.writeManifest(REPO, m);
    store.writeTag(REPO, "3.20", m, 1234);

    ManifestStore again = new ManifestStore(dir);
    List<ManifestStore.StoredTag> tags = again.load();
    assertEquals(List.of(new ManifestStore.StoredTag(REPO, "3.20", m.digest(), 1234)), tags);
    Fetched read = again.readManifest(REPO, m.digest()).orElseThrow();
    assertArrayEquals(m.bytes(), read.bytes(), "the exact bytes");
    assertEquals(MediaTypes.OCI_MANIFEST, read.mediaType());
    assertTrue(again.readManifest("hub/other", m.digest()).isEmpty(), "kept per repository");
    try (Stream<Path> left = Files.list(dir.resolve("tmp"))) {
      assertEquals(0, left.count(), "no temp file is left after a write");
    }
  }

  @Test
  void aCorruptedManifestIsDeletedAndReadsAsAbsent() throws Exception {
    ManifestStore store = new ManifestStore(dir);
    Fetched m = manifest("{\"schemaVersion\":2,\"layers\":[]}");
    store.writeManifest(REPO, m);
    Path file = store.manifestFile(REPO, m.digest());
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length - 3] ^= 0x01;
    Files.write(file, bytes);

    assertTrue(store.readManifest(REPO, m.digest()).isEmpty(), "a flipped bit is never served");
    assertFalse(Files.exists(file), "and the file is dropped, to be fetched again");
  }

  @Test
  void aTruncatedManifestIsIgnored() throws Exception {
    ManifestStore store = new ManifestStore(dir);
    Fetched m = manifest("{\"schemaVersion\":2,\"config\":{}}");
    store.writeManifest(REPO, m);
    Path file = store.manifestFile(REPO, m.digest());
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertTrue(store.readManifest(REPO, m.digest()).isEmpty());
  }

  @Test
  void loadDeletesUnfinishedWritesAndUnreadableTagFiles() throws Exception {
    ManifestStore store = new ManifestStore(dir);
    Fetched m = manifest("{}");
    store.writeManifest(REPO, m);
    store.writeTag(REPO, "good", m, 1);
    Path tags = store.tagFile(REPO, "good").getParent();
    Files.writeString(tags.resolve("garbage"), "not a digest\n\nx\n");
    Files.writeString(tags.resolve("short"), m.digest().toString());
    Path tmp = dir.resolve("tmp");
    Files.writeString(tmp.resolve("good.1234-partial"), "sha256:");

    List<ManifestStore.StoredTag> loaded = new ManifestStore(dir).load();
    assertEquals(List.of("good"), loaded.stream().map(ManifestStore.StoredTag::tag).toList());
    assertFalse(Files.exists(tags.resolve("garbage")));
    assertFalse(Files.exists(tags.resolve("short")));
    try (Stream<Path> left = Files.list(tmp)) {
      assertEquals(0, left.count(), "the unfinished write was deleted");
    }
  }

  @Test
  void aRewrittenTagReplacesTheOldOneWhole() throws Exception {
    ManifestStore store = new ManifestStore(dir);
    Fetched v1 = manifest("{\"v\":1}");
    Fetched v2 = manifest("{\"v\":2}");
    store.writeManifest(REPO, v1);
    store.writeManifest(REPO, v2);
    store.writeTag(REPO, "latest", v1, 1);
    store.writeTag(REPO, "latest", v2, 2);
    assertEquals(v2.digest(), store.load().get(0).digest());
    store.deleteTag(REPO, "latest");
    assertEquals(List.of(), store.load());
  }

  @Test
  void blobsAreVerifiedAndReferrersKeepTheirFilterFlag() throws Exception {
    ManifestStore store = new ManifestStore(dir);
    byte[] payload = "{\"critical\":{}}".getBytes(StandardCharsets.UTF_8);
    Digest digest = Digest.sha256(payload);
    store.writeBlob(REPO, digest, payload);
    assertArrayEquals(payload, store.readBlob(REPO, digest).orElseThrow());
    Digest other = Digest.sha256(new byte[] {1});
    store.writeBlob(REPO, other, payload);
    assertTrue(store.readBlob(REPO, other).isEmpty(), "bytes not matching their name are dropped");

    byte[] index = "{\"schemaVersion\":2,\"manifests\":[]}".getBytes(StandardCharsets.UTF_8);
    store.writeReferrers(REPO, digest, "application/vnd.cncf.notary.signature", true, index);
    ManifestStore.StoredReferrers r =
        store.readReferrers(REPO, digest, "application/vnd.cncf.notary.signature").orElseThrow();
    assertTrue(r.filtered());
    assertArrayEquals(index, r.index());
    assertTrue(store.readReferrers(REPO, digest, null).isEmpty(), "kept per artifact type");
  }
}
