package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cache.manifestMaxSize} through the gateway: anyone who may pull can make it fetch large
 * manifests by digest (the 12 GETs of 4 MiB forged manifests), and every one used to be
 * written to disk for good. Six 3 MiB manifests pulled under an 8 MiB bound leave the manifest
 * directory within it; what is still cached is served while the upstream is down; and a restart
 * after eviction is consistent: the newest tag pulls (stale), a tag whose manifest was evicted is
 * dropped rather than served.
 */
class CacheBoundIT {
  private static final long BOUND = 8L * 1024 * 1024;
  private static final int PAD = 3 * 1024 * 1024;
  private static final String REPO = "team/forged";

  @Test
  void theManifestStoreStaysWithinItsBoundAndARestartAfterEvictionIsConsistent(@TempDir Path dir)
      throws Exception {
    RequiredTools.check("docker-registry");
    String bound = "cache: {manifestMaxSize: 8MiB}\n";
    try (RegistryProcess registry = RegistryProcess.start()) {
      byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
      Digest blob = CacheBlobIT.upload(registry, REPO, config);
      List<Digest> pushed = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        byte[] manifest = forged(blob, config.length, i);
        String ref = i == 0 || i == 5 ? "v" + i : Digest.sha256(manifest).toString();
        HttpResponse<String> put =
            Http.send(
                "PUT",
                registry.url() + "/v2/" + REPO + "/manifests/" + ref,
                manifest,
                "Content-Type",
                MediaTypes.OCI_MANIFEST);
        assertEquals(201, put.statusCode(), put.body());
        pushed.add(Digest.sha256(manifest));
      }

      try (GatewayProcess first = GatewayProcess.inFrontOfWith(dir, registry.url(), bound)) {
        for (int i = 0; i < 6; i++) {
          String ref = i == 0 || i == 5 ? "v" + i : pushed.get(i).toString();
          HttpResponse<byte[]> r =
              Http.getBytes(
                  first.url() + "/v2/" + REPO + "/manifests/" + ref,
                  "Accept",
                  MediaTypes.OCI_MANIFEST);
          assertEquals(200, r.statusCode(), "pull " + i);
          assertEquals(pushed.get(i), Digest.sha256(r.body()));
        }
        registry.down();
        HttpResponse<byte[]> cached =
            Http.getBytes(first.url() + "/v2/" + REPO + "/manifests/" + pushed.get(5));
        assertEquals(200, cached.statusCode(), "what is cached is served without the upstream");
      }
      long used = onDisk(dir.resolve("data/cache/manifests"));
      assertTrue(used <= BOUND, "the manifest store stays within 8 MiB: " + used);
      assertTrue(used >= 2L * PAD, "and still holds the newest manifests: " + used);

      try (GatewayProcess second = GatewayProcess.inFrontOfWith(dir, registry.url(), bound)) {
        HttpResponse<byte[]> newest =
            Http.getBytes(
                second.url() + "/v2/" + REPO + "/manifests/v5", "Accept", MediaTypes.OCI_MANIFEST);
        assertEquals(200, newest.statusCode(), "the newest tag is served from disk, stale");
        assertEquals(pushed.get(5), Digest.sha256(newest.body()));
        assertTrue(newest.headers().firstValue("Warning").isPresent());
        HttpResponse<String> evicted = Http.get(second.url() + "/v2/" + REPO + "/manifests/v0");
        assertEquals(503, evicted.statusCode(), "a tag whose manifest was evicted is not served");
        assertFalse(
            Files.exists(tagFile(dir, "v0")), "and dropped at the restart, not left dangling");
      }
      assertTrue(onDisk(dir.resolve("data/cache/manifests")) <= BOUND);
    }
  }

  /** An image manifest of some 3 MiB (a padded annotation), distinct for each {@code n}. */
  private static byte[] forged(Digest blob, int size, int n) {
    String descriptor =
        "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%d}".formatted("%s", blob, size);
    String json =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\",\"config\":"
            + descriptor.formatted("application/vnd.oci.image.config.v1+json")
            + ",\"layers\":["
            + descriptor.formatted("application/vnd.oci.image.layer.v1.tar")
            + "],\"annotations\":{\"pad\":\""
            + String.valueOf((char) ('a' + n)).repeat(PAD)
            + "\"}}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  private static Path tagFile(Path dir, String tag) {
    return dir.resolve("data/cache/manifests/internal%2F" + REPO.replace("/", "%2F"))
        .resolve("tags")
        .resolve(tag);
  }

  private static long onDisk(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      // File.length() reads 0 for a file evicted while walking
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
