package io.portcullis.gateway.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.upstream.DirectArtifacts;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cache.manifestMaxSize}: what an outsider can make the gateway fetch (4 MiB manifests by
 * digest, one after another) never grows the manifest store past its bound; the least recently used
 * go first, and a restart after eviction is consistent.
 */
class ManifestStoreBoundTest {
  private static final String REPO = "hub/team/forged";
  private static final int SIZE = 1024 * 1024;
  private static final long BOUND = 4L * 1024 * 1024;
  private static final long BLOCK = 4096;
  @TempDir Path dir;

  /** A manifest of about {@code SIZE} bytes, distinct for each {@code n}. */
  private static Fetched big(int n) {
    StringBuilder json = new StringBuilder("{\"schemaVersion\":2,\"annotations\":{\"pad\":\"");
    json.append(String.valueOf((char) ('a' + n % 26)).repeat(SIZE)).append(n).append("\"}}");
    byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
    return new Fetched(bytes, MediaTypes.OCI_MANIFEST, Digest.sha256(bytes));
  }

  @Test
  void writingPastTheBoundKeepsTheDirectoryWithinItAndKeepsWhatWasUsedLast() throws Exception {
    ManifestStore store = new ManifestStore(dir, BOUND);
    store.load();
    List<Fetched> written = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      Fetched m = big(i);
      store.writeManifest(REPO, m);
      written.add(m);
      if (i >= 1) {
        // the first one is read again and again: it is the most recently used, so it stays
        assertTrue(store.readManifest(REPO, written.get(0).digest()).isPresent(), "read " + i);
      }
      assertTrue(onDisk() <= BOUND, "within the bound after write " + i + ": " + onDisk());
    }
    assertTrue(store.readManifest(REPO, written.get(11).digest()).isPresent(), "the newest stays");
    assertTrue(store.readManifest(REPO, written.get(0).digest()).isPresent(), "the one in use");
    assertTrue(store.readManifest(REPO, written.get(1).digest()).isEmpty(), "the oldest unused");
    assertTrue(store.size() <= BOUND);
  }

  @Test
  void aRestartWithALowerBoundShedsTheOldestAndDropsTagsThatLostTheirManifest() throws Exception {
    ManifestStore unbounded = new ManifestStore(dir);
    unbounded.load();
    for (int i = 0; i < 6; i++) {
      Fetched m = big(i);
      unbounded.writeManifest(REPO, m);
      unbounded.writeTag(REPO, "v" + i, m, 1);
      // distinct modification times, oldest first
      Files.setLastModifiedTime(
          unbounded.manifestFile(REPO, m.digest()),
          java.nio.file.attribute.FileTime.fromMillis(1_000_000L * (i + 1)));
    }
    assertTrue(onDisk() > BOUND);

    Vertx vertx = Vertx.vertx();
    try {
      ManifestCache.open(
              vertx, dir, BOUND, GatewayMetrics.inMemory(), null, DirectArtifacts.INSTANCE)
          .await(30, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(30, TimeUnit.SECONDS);
    }
    assertTrue(onDisk() <= BOUND, "within the new bound after the restart: " + onDisk());
    ManifestStore after = new ManifestStore(dir);
    for (ManifestStore.StoredTag t : after.load()) {
      assertTrue(
          after.readManifest(REPO, t.digest()).isPresent(),
          "every tag left on disk points at a manifest that is there: " + t.tag());
    }
    assertFalse(Files.exists(after.tagFile(REPO, "v0")), "the oldest manifest's tag is dropped");
    assertTrue(Files.exists(after.tagFile(REPO, "v5")), "the newest stays, with its tag");
    assertEquals(
        big(5).digest(),
        after.load().stream().filter(t -> t.tag().equals("v5")).findFirst().orElseThrow().digest());
  }

  @Test
  void repositoriesEvictedLeaveNoDirectoriesBehindAndDirectoriesCountAgainstTheBound()
      throws Exception {
    long bound = 64 * 1024;
    ManifestStore store = new ManifestStore(dir, bound);
    store.load();
    for (int i = 0; i < 100; i++) {
      store.writeManifest("hub/team/r" + i, small(i));
      assertEquals(blocksOnDisk(), store.size(), "counted as the file system spends it, " + i);
      assertTrue(blocksOnDisk() <= bound, "within the bound, directories included, " + i);
    }
    long files;
    try (Stream<Path> all = Files.walk(dir)) {
      files = all.filter(Files::isRegularFile).count();
    }
    try (Stream<Path> repos = Files.list(dir)) {
      assertTrue(
          repos.filter(d -> !d.endsWith("tmp")).count() <= files,
          "an evicted repository's directories are deleted with its last file");
    }
    ManifestStore restarted = new ManifestStore(dir, bound);
    restarted.load();
    assertEquals(blocksOnDisk(), restarted.size(), "a restart counts the directories too");
  }

  @Test
  void concurrentWritesAndDeletesOfOneFileKeepTheCountExact() throws Exception {
    ManifestStore store = new ManifestStore(dir, 32 * 1024);
    store.load();
    Fetched m = small(0);
    store.writeManifest(REPO, m);
    Thread[] threads = new Thread[4];
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int t = 0; t < threads.length; t++) {
      int id = t;
      threads[t] =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < 200; i++) {
                    store.writeTag(REPO, "t" + (i % 3), m, i);
                    store.writeManifest("hub/team/other" + id, small(id * 1000 + i));
                    store.deleteTag(REPO, "t" + ((i + id) % 3));
                  }
                } catch (IOException | RuntimeException e) {
                  failures.add(e);
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(List.of(), failures);
    assertEquals(blocksOnDisk(), store.size(), "what is counted is what is on disk");
  }

  /** A small manifest (one block), distinct for each {@code n}. */
  private static Fetched small(int n) {
    byte[] bytes =
        ("{\"schemaVersion\":2,\"annotations\":{\"n\":\"" + n + "\"}}")
            .getBytes(StandardCharsets.UTF_8);
    return new Fetched(bytes, MediaTypes.OCI_MANIFEST, Digest.sha256(bytes));
  }

  /** What the store's files and directories take, in blocks, as {@link DiskBudget} counts. */
  private long blocksOnDisk() throws IOException {
    long total = 0;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.filter(p -> !p.equals(dir) && !p.startsWith(dir.resolve("tmp"))).toList()) {
        long size = Files.isDirectory(p) ? 1 : p.toFile().length();
        total += Math.max(1, (size + BLOCK - 1) / BLOCK) * BLOCK;
      }
    }
    return total;
  }

  private long onDisk() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      // File.length() reads 0 for a file evicted while walking
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
