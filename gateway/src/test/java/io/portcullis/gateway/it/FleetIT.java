package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.x509.DevPki;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ExternalCommand;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Two replicas behind HAProxy running the shipped {@code deploy/haproxy.cfg}, sharing their state
 * in a real PostgreSQL (issue #15), driven by skopeo: the fleet acts as one registry.
 */
class FleetIT extends FleetOverOrigin {
  private static final Pattern UPLOAD =
      Pattern.compile(" (?:PATCH|PUT) /v2/\\S+/blobs/uploads/([A-Za-z0-9_=-]+)[ ?]");

  private static final Pattern BLOB_MISSES =
      Pattern.compile(
          "^portcullis_cache_misses_total\\{kind=\"blob\",?} (\\S+)$", Pattern.MULTILINE);

  /**
   * Uploads go round robin, so the requests of skopeo's uploads (POST, PATCH, PUT) alternate
   * between the replicas. Without the upload key shared in PostgreSQL each replica seals upload ids
   * with a key of its own, the other answers {@code BLOB_UPLOAD_UNKNOWN}, and the push fails.
   */
  @Test
  void aSkopeoPushWhoseRequestsAlternateBetweenReplicasLandsWhole() throws Exception {
    OciLayout image = images.build(ImageSpec.builder().layers(3, 256 * 1024).seed(1501).build());
    images.push(image, fleet.ref("team/pushed:v1"));

    assertFalse(uploadIds(fleet.replica(0).log()).isEmpty(), "replica 1 took upload requests");
    assertFalse(uploadIds(fleet.replica(1).log()).isEmpty(), "replica 2 took upload requests");
    // the origin holds the image whole, and it reads back through the fleet
    String direct =
        skopeo.inspect(origin.ref("team/pushed:v1")).orThrow().json().get("Digest").asText();
    assertEquals(image.digest(), direct);
    Path back = dir.resolve("pushed-back");
    skopeo.copy(fleet.ref("team/pushed:v1"), "dir:" + back).orThrow();
    assertEquals(image.digest(), DirImage.read(back).manifestDigest());
  }

  /**
   * The same, request by request, each step's replica read from its access log by request id: a
   * chunked upload (POST, two PATCHes with Content-Range, PUT) whose id, sealed by one replica, is
   * continued by the other lands whole in the upstream.
   */
  @Test
  void aChunkedUploadSealedByOneReplicaIsContinuedByTheOther() throws Exception {
    byte[] blob = new byte[300_000];
    new java.util.Random(1503).nextBytes(blob);
    Digest digest = Digest.sha256(blob);
    int half = blob.length / 2;
    String upload = "/v2/team/chunked/blobs/uploads/";
    HttpResponse<String> r = send("hop-post", "POST", fleet.url() + upload, null);
    assertEquals(202, r.statusCode(), r.body());
    List<String> steps = new ArrayList<>(List.of("hop-post"));
    r =
        send(
            "hop-patch-1",
            "PATCH",
            location(r),
            Arrays.copyOfRange(blob, 0, half),
            "Content-Range",
            "0-" + (half - 1),
            "Content-Type",
            "application/octet-stream");
    assertEquals(202, r.statusCode(), r.body());
    steps.add("hop-patch-1");
    r =
        send(
            "hop-patch-2",
            "PATCH",
            location(r),
            Arrays.copyOfRange(blob, half, blob.length),
            "Content-Range",
            half + "-" + (blob.length - 1),
            "Content-Type",
            "application/octet-stream");
    assertEquals(202, r.statusCode(), r.body());
    steps.add("hop-patch-2");
    String put = location(r) + (location(r).contains("?") ? "&" : "?") + "digest=" + digest;
    r = send("hop-put", "PUT", put, null);
    assertEquals(201, r.statusCode(), r.body());
    steps.add("hop-put");

    List<Integer> served = new ArrayList<>();
    for (String step : steps) {
      served.add(fleet.replicaThatServed(step));
    }
    assertFalse(served.contains(-1), "every step is in one replica's access log: " + served);
    assertTrue(
        served.get(0) != served.get(1)
            || served.get(1) != served.get(2)
            || served.get(2) != served.get(3),
        "round robin sent consecutive steps to different replicas: " + served);
    byte[] back = Http.getBytes(origin.url() + "/v2/team/chunked/blobs/" + digest).body();
    assertArrayEquals(blob, back, "the upstream holds the blob whole");
  }

  private static HttpResponse<String> send(
      String id, String method, String url, byte[] body, String... headers) throws Exception {
    String[] all = Arrays.copyOf(headers, headers.length + 2);
    all[headers.length] = "X-Request-Id";
    all[headers.length + 1] = id;
    return Http.send(method, url, body, all);
  }

  private String location(HttpResponse<String> r) {
    String location = r.headers().firstValue("Location").orElseThrow();
    return location.startsWith("/") ? fleet.url() + location : location;
  }

  /**
   * Blobs are routed by digest: eight clients pulling one cold image at once, through whichever
   * replica, make one upstream GET per blob in the whole fleet (round robin would make one per
   * replica that a blob's requests reach).
   */
  @Test
  void eightConcurrentColdPullsFetchEachBlobFromTheUpstreamOnce() throws Exception {
    OciLayout image = images.build(ImageSpec.builder().layers(4, 1024 * 1024).seed(1502).build());
    images.push(image, origin.ref("team/cold:v1"));
    int clients = 8;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<CommandResult>> pulls = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Path out = dir.resolve("cold-" + i);
        pulls.add(
            pool.submit(
                () -> {
                  go.await();
                  return skopeo.copy(fleet.ref("team/cold:v1"), "dir:" + out);
                }));
      }
      go.countDown();
      for (Future<CommandResult> pull : pulls) {
        pull.get().orThrow();
      }
    } finally {
      pool.shutdownNow();
    }
    DirImage first = DirImage.read(dir.resolve("cold-0"));
    assertEquals(5, first.blobs().size(), "config and four layers");
    for (int i = 1; i < clients; i++) {
      assertEquals(first, DirImage.read(dir.resolve("cold-" + i)), "pull " + i + " is the same");
    }
    for (String digest : first.blobs().keySet()) {
      assertEquals(
          1,
          origin.count("GET", "/v2/team/cold/blobs/" + digest),
          digest + " fetched from the upstream once in all");
    }
    // and both replicas took part: the blobs were spread, not all sent to one
    assertTrue(
        blobMisses(0) > 0 && blobMisses(1) > 0,
        "both replicas filled blobs: " + blobMisses(0) + ", " + blobMisses(1));
  }

  /**
   * HAProxy sends the PROXY protocol header and the replicas read it: a client connecting from
   * 127.0.0.2 is 127.0.0.2 in the replica's access log, not HAProxy's 127.0.0.1 (so per-address
   * failed-login limits and quotas count each client, not the load balancer).
   */
  @Test
  void theReplicasSeeTheClientsAddressNotHaproxys() throws Exception {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress("127.0.0.2", 0));
      socket.connect(new InetSocketAddress("127.0.0.1", URI.create(fleet.url()).getPort()), 5000);
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("GET /v2/ HTTP/1.1\r\nHost: "
                      + fleet.hostPort()
                      + "\r\nX-Request-Id: from-second-address\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
    int replica = fleet.replicaThatServed("from-second-address");
    assertTrue(replica >= 0, "logged");
    String line =
        fleet
            .replica(replica)
            .log()
            .lines()
            .filter(l -> l.contains("id=from-second-address"))
            .findFirst()
            .orElseThrow();
    assertTrue(line.contains("127.0.0.2 GET /v2/ 200"), line);
  }

  /**
   * A replica takes clients only through HAProxy: a request sent to it directly, without the PROXY
   * header that would name its client, gets no answer, its connection is closed.
   */
  @Test
  void aReplicaClosesAConnectionThatDoesNotStartWithAProxyHeader() throws Exception {
    URI replica = URI.create(fleet.replica(0).url());
    try (Socket socket = new Socket(replica.getHost(), replica.getPort())) {
      socket.setSoTimeout(30_000);
      socket
          .getOutputStream()
          .write(
              ("GET /v2/ HTTP/1.1\r\nHost: " + replica.getAuthority() + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      byte[] answer = socket.getInputStream().readAllBytes(); // until the replica closes
      assertEquals("", new String(answer, StandardCharsets.UTF_8), "no HTTP answer");
    }
  }

  /**
   * HAProxy logs each request's path without its query, where a client may have put a secret (the
   * gateway's access log masks such values too); the request is still logged.
   */
  @Test
  void haproxysLogKeepsQueriesOut() throws Exception {
    Http.get(fleet.url() + "/v2/?password=hunter2-in-a-query");
    Http.get(fleet.url() + "/v2/team/app/tags/list?token=hunter3-in-a-query");
    String log = "";
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!log.contains("GET /v2/team/app/tags/list HTTP/1.1") && System.nanoTime() < deadline) {
      Thread.sleep(20); // HAProxy writes the line once the response is done
      log = fleet.haproxy().log();
    }
    assertTrue(log.contains("GET /v2/team/app/tags/list HTTP/1.1"), "logged: " + log);
    assertFalse(log.contains("hunter2") || log.contains("hunter3"), "no query in: " + log);
  }

  /**
   * A blob is routed by its digest, not its repository: one image pushed under two names and pulled
   * through both fetches each blob from the upstream once (the second repository gets the cached
   * blob after one HEAD confirms it there), since both names lead to the same replica.
   */
  @Test
  void aBlobSharedByTwoRepositoriesIsFetchedOnce() throws Exception {
    OciLayout image = images.build(ImageSpec.builder().layers(4, 64 * 1024).seed(1504).build());
    images.push(image, origin.ref("base/one:v1"));
    images.push(image, origin.ref("base/two:v1"));
    skopeo.copy(fleet.ref("base/one:v1"), "dir:" + dir.resolve("base-one")).orThrow();
    skopeo.copy(fleet.ref("base/two:v1"), "dir:" + dir.resolve("base-two")).orThrow();
    DirImage two = DirImage.read(dir.resolve("base-two"));
    assertEquals(image.digest(), two.manifestDigest());
    for (String digest : two.blobs().keySet()) {
      assertEquals(
          1,
          origin.count("GET", "/v2/base/(one|two)/blobs/" + digest),
          digest + " fetched once for both repositories");
    }
  }

  /**
   * The fixture drops the TLS options (its replicas speak plain HTTP); HAProxy accepts them as
   * shipped: the file checked with {@code haproxy -c} with only the container's certificate
   * directory moved to a dev PKI made here (server names it cannot resolve are left to DNS later).
   */
  @Test
  void theShippedFileWithItsTlsSettingsPassesHaproxysCheck() throws Exception {
    Path tls = Files.createDirectories(dir.resolve("haproxy-tls"));
    DevPki.generate().writeTo(tls, false);
    Files.copy(tls.resolve("tls.key"), tls.resolve("tls.crt.key"));
    Path cfg =
        Files.writeString(
            dir.resolve("haproxy.cfg"),
            Files.readString(FleetHaproxyConfig.DEPLOY.resolve("haproxy.cfg"))
                .replace("/etc/haproxy/tls/", tls + "/"));
    CommandResult check =
        new ExternalCommand(dir, Map.of())
            .run(List.of("haproxy", "-c", "-f", cfg.toString()), Duration.ofSeconds(30));
    assertTrue(check.ok(), check.describe());
  }

  private double blobMisses(int replica) throws Exception {
    Matcher m = BLOB_MISSES.matcher(fleet.metrics(replica));
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static Set<String> uploadIds(String log) {
    Set<String> ids = new HashSet<>();
    Matcher m = UPLOAD.matcher(log);
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids;
  }
}
