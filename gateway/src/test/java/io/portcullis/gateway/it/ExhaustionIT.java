package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.ExternalCommand;
import io.portcullis.testkit.FreePorts;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The heap and disk exhaustion, replayed against the gateway jar at {@code -Xmx128m} with
 * the cache on: 24 distinct manifests of some 3.7 MiB, each listing 26,000 layer digests of its
 * own, staged upstream by digest and as the {@code sha256-<hex>.sig} tag of another of them (an
 * unsigned image), are each fetched twice by digest and twice by that tag, eight requests at a
 * time. Under an enforce policy on {@code **} every answer is a 4xx with OCI error JSON; with the
 * policy off every answer is the manifest. Either way the gateway survives with no {@code
 * OutOfMemoryError}, its manifest store stays within {@code cache.manifestMaxSize} (8 MiB, its
 * minimum; and 256 MiB, the default, which holds all 24 so that later rounds read them back from
 * disk), and its heap after a full GC stays under 48 MiB.
 *
 * <p>Before issue 12 this failed three ways: the {@code .sig} tags were served (200) without a
 * decision and approved their 26,000 digests each (312,044 approvals grew the heap by 113 MiB, and
 * a {@code -Xmx128m} gateway died), and every fetched manifest was written to disk for good (88 MiB
 * here, against the 8 MiB bound). Until this test, each manifest read back from disk was parsed and
 * linked all it lists: the roomy store died with {@code OutOfMemoryError}, and under enforce the
 * heap after GC was 55 to 70 MiB.
 */
class ExhaustionIT {
  private static final String REPO = "team/forged";
  private static final int MANIFESTS = 24;
  private static final int LAYERS = 26_000;
  private static final int ROUNDS = 4;
  private static final int CLIENTS = 8;
  private static final long BOUND = 8L * 1024 * 1024;
  private static final long ROOMY = 256L * 1024 * 1024;
  private static final long HEAP_CEILING = 48L * 1024 * 1024;
  private static final String POLICY =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [%s]}
      policies:
        - name: everything
          scopes: ["**"]
          mode: %s
          signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
      """;

  @TempDir static Path dir;
  static RegistryProcess registry;
  static final List<Digest> forged = new ArrayList<>();

  @BeforeAll
  static void stage() throws Exception {
    RequiredTools.check("docker-registry");
    registry = RegistryProcess.start();
    Files.writeString(dir.resolve("pw"), "release-password\n");
    Signer.keygen(dir, "release");
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    Digest configDigest = CacheBlobIT.upload(registry, REPO, config);
    for (int i = 0; i < MANIFESTS; i++) {
      forged.add(Digest.sha256(manifest(configDigest, config.length, i)));
    }
    // Manifest i is also the .sig tag of manifest i+1: a "signature" of an unsigned image.
    for (int i = 0; i < MANIFESTS; i++) {
      Digest subject = forged.get((i + 1) % MANIFESTS);
      Forgery.writeUnchecked(
          registry,
          REPO,
          manifest(configDigest, config.length, i),
          Forgery.tagOf(subject.toString(), ".sig"));
    }
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void underAnEnforcePolicyEveryForgedManifestIsRefusedAndTheGatewaySurvives() throws Exception {
    try (Gateway gateway = start("enforce", "enforce", BOUND)) {
      List<HttpResponse<byte[]>> answers = getAll(gateway.process());
      for (HttpResponse<byte[]> r : answers) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertTrue(
            r.statusCode() >= 400 && r.statusCode() < 500,
            r.uri() + ": " + r.statusCode() + " " + body);
        assertTrue(body.contains("\"errors\""), "OCI error JSON: " + body);
      }
      assertSurvived(gateway);
    }
  }

  @Test
  void withThePolicyOffTheForgedManifestsAreProxiedAndTheGatewaySurvives() throws Exception {
    try (Gateway gateway = start("off", "off", BOUND)) {
      assertAllProxied(getAll(gateway.process()));
      assertSurvived(gateway);
    }
  }

  /**
   * With a store that holds all 24 (the default bound is 256 MiB), later rounds read them back from
   * disk, and a manifest read back links every blob it lists in its repository.
   */
  @Test
  void manifestsReadBackFromARoomyStoreDoNotExhaustTheHeap() throws Exception {
    try (Gateway gateway = start("roomy", "off", ROOMY)) {
      assertAllProxied(getAll(gateway.process()));
      assertSurvived(gateway);
    }
  }

  private static void assertAllProxied(List<HttpResponse<byte[]>> answers) {
    for (int i = 0; i < answers.size(); i++) {
      HttpResponse<byte[]> r = answers.get(i);
      assertEquals(200, r.statusCode(), r.uri().toString());
      assertEquals(forged.get(i % MANIFESTS), Digest.sha256(r.body()), r.uri().toString());
    }
  }

  /**
   * A gateway jar named {@code name} (its folder under {@link #dir}), the address of its admin
   * listener, and the bound of its manifest store.
   */
  private record Gateway(String name, GatewayProcess process, String admin, long bound)
      implements AutoCloseable {
    @Override
    public void close() {
      process.close();
    }
  }

  /**
   * The gateway jar at {@code -Xmx128m} under the policy in {@code mode}, with an admin port and
   * {@code bound} bytes of manifest store.
   */
  private static Gateway start(String name, String mode, long bound) throws Exception {
    Path home = dir.resolve(name);
    Files.createDirectories(home);
    Path policy =
        Files.writeString(
            home.resolve("policy.yaml"), POLICY.formatted(dir.resolve("release.pub"), mode));
    int port = FreePorts.loopback();
    int admin = FreePorts.loopback();
    String yaml =
        """
        server: {host: 127.0.0.1, port: %d}
        admin: {host: 127.0.0.1, port: %d}
        dataDir: %s
        cache: {manifestMaxSize: %d}
        upstreams:
          - {name: internal, url: '%s', prefix: ''}
        policy: {file: %s}
        """
            .formatted(port, admin, home.resolve("data"), bound, registry.url(), policy);
    return new Gateway(
        name,
        GatewayProcess.start(home, yaml, port, "-Xmx128m"),
        "http://127.0.0.1:" + admin,
        bound);
  }

  /**
   * Each forged manifest by digest and by the {@code .sig} tag that names it, {@link #ROUNDS}
   * times, {@link #CLIENTS} at a time; answer {@code k} is for manifest {@code k % MANIFESTS}.
   */
  private static List<HttpResponse<byte[]>> getAll(GatewayProcess gateway) throws Exception {
    List<String> references = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      for (int i = 0; i < MANIFESTS; i++) {
        references.add(
            round % 2 == 0
                ? forged.get(i).toString()
                : Forgery.tagOf(forged.get((i + 1) % MANIFESTS).toString(), ".sig"));
      }
    }
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<HttpResponse<byte[]>>> pending = new ArrayList<>();
      for (String reference : references) {
        pending.add(
            clients.submit(
                () ->
                    Http.getBytes(
                        gateway.url() + "/v2/" + REPO + "/manifests/" + reference,
                        "Accept",
                        MediaTypes.OCI_MANIFEST)));
      }
      List<HttpResponse<byte[]>> answers = new ArrayList<>();
      for (int k = 0; k < pending.size(); k++) {
        try {
          // Http's own 60 s request timeout turns a hang into a failure here.
          answers.add(pending.get(k).get());
        } catch (ExecutionException e) {
          String log = gateway.log();
          throw new AssertionError(
              references.get(k)
                  + ": "
                  + e.getCause()
                  + "; the gateway's log ends: "
                  + log.substring(Math.max(0, log.length() - 6000)),
              e);
        }
      }
      return answers;
    } finally {
      clients.shutdownNow();
    }
  }

  /**
   * Alive and serving, no {@code OutOfMemoryError} logged, the manifest store within its bound, and
   * the heap after a full GC far below {@code -Xmx128m}.
   */
  private static void assertSurvived(Gateway running) throws Exception {
    GatewayProcess gateway = running.process();
    assertTrue(gateway.isAlive(), "the gateway died: " + gateway.log());
    assertEquals(200, Http.get(gateway.url() + "/v2/").statusCode());
    assertFalse(gateway.log().contains("OutOfMemoryError"), gateway.log());
    long onDisk = onDisk(dir.resolve(running.name()).resolve("data/cache/manifests"));
    assertTrue(onDisk <= running.bound(), "the manifest store stays within its bound: " + onDisk);

    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    CommandResult gc =
        new ExternalCommand(dir, Map.of())
            .run(
                List.of(jcmd.toString(), Long.toString(gateway.pid()), "GC.run"),
                Duration.ofSeconds(30));
    assertEquals(0, gc.exitCode(), gc.describe());
    long heap = heapUsed(running);
    System.out.printf(
        "ExhaustionIT (%s): heap after GC %.1f MiB, manifest store %.1f MiB%n",
        running.name(), heap / 1048576.0, onDisk / 1048576.0);
    assertTrue(heap < HEAP_CEILING, "heap after GC under 48 MiB of 128: " + heap);
  }

  /** The sum of {@code jvm_memory_used_bytes{area="heap"}} on the admin {@code /metrics}. */
  private static long heapUsed(Gateway gateway) throws Exception {
    HttpResponse<String> metrics = Http.get(gateway.admin() + "/metrics");
    assertEquals(200, metrics.statusCode());
    double sum = 0;
    int pools = 0;
    for (String line : metrics.body().lines().toList()) {
      if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        pools++;
      }
    }
    assertTrue(pools > 0, "heap pools on /metrics");
    return (long) sum;
  }

  /**
   * An OCI image manifest of some 3.7 MiB listing {@link #LAYERS} layer digests no other manifest
   * lists (digests of nothing the registry holds).
   */
  private static byte[] manifest(Digest config, int configSize, int n) {
    StringBuilder json =
        new StringBuilder(4 * 1024 * 1024)
            .append("{\"schemaVersion\":2,\"mediaType\":\"")
            .append(MediaTypes.OCI_MANIFEST)
            .append("\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\"")
            .append(",\"digest\":\"")
            .append(config)
            .append("\",\"size\":")
            .append(configSize)
            .append("},\"layers\":[");
    for (int j = 0; j < LAYERS; j++) {
      Digest layer = Digest.sha256((n + "/" + j).getBytes(StandardCharsets.UTF_8));
      json.append(j == 0 ? "" : ",")
          .append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"")
          .append(layer)
          .append("\",\"size\":1}");
    }
    return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static long onDisk(Path root) throws IOException {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }
}
