package io.portcullis.gateway.it;

import static io.portcullis.gateway.it.RegistryProtocolIT.pushImageTo;
import static io.portcullis.gateway.it.RegistryProtocolIT.withQuery;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.testing.UnsortedTagsUpstream;
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Teardown;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the OCI conformance suite and probes found through a caching gateway: reads after writes
 * (re-pushed tags, deletes), the referrers API for pushes with a {@code subject} on an upstream
 * without it, malformed tags, tag order, and upload ids that give nothing of the upstream away. The
 * cache keeps tags for 5 minutes here, so nothing is consistent by revalidation alone.
 */
class ProtocolCorrectnessIT {
  private static final String ARTIFACT = "application/vnd.example.sbom";
  private static final String CONFIG_TYPE = "application/vnd.example.config+json";
  private static final List<String> UNSORTED = List.of("b", "a10", "v2", "a1", "a2", "c", "v10");

  @TempDir static Path dir;
  static RegistryProcess registry;
  static UnsortedTagsUpstream unsorted;
  static GatewayFixture gateway;
  static String gw;

  @BeforeAll
  static void start() throws Exception {
    registry = RegistryProcess.start();
    unsorted = UnsortedTagsUpstream.start(UNSORTED);
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .tagTtl("5m")
            .upstream("unsorted", unsorted.url(), "unsorted", false)
            .upstream("internal", registry.url(), "", true)
            .start();
    gw = gateway.url();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, unsorted, registry);
  }

  @Test
  void aRePushedTagIsServedAtOnceByGetAndHead() throws Exception {
    byte[] first = pushImageTo(gw, "team/moving", 21);
    byte[] second = pushImageTo(gw, "team/moving", 22);
    putManifest("team/moving", "v1", first, MediaTypes.OCI_MANIFEST);
    assertArrayEquals(first, Http.getBytes(gw + "/v2/team/moving/manifests/v1").body());

    putManifest("team/moving", "v1", second, MediaTypes.OCI_MANIFEST);
    HttpResponse<byte[]> get = Http.getBytes(gw + "/v2/team/moving/manifests/v1");
    assertArrayEquals(second, get.body(), "GET sees the re-pushed tag");
    String digest = Digest.sha256(second).toString();
    assertEquals(digest, get.headers().firstValue("Docker-Content-Digest").orElseThrow());
    HttpResponse<String> head = Http.send("HEAD", gw + "/v2/team/moving/manifests/v1", null);
    assertEquals(digest, head.headers().firstValue("Docker-Content-Digest").orElseThrow());
  }

  @Test
  void aDeletedManifestIsGoneAtOnceByDigestAndTag() throws Exception {
    Digest md = Digest.sha256(pushTagged("team/gone", 23));
    // Read through the gateway first, so both are cached.
    assertEquals(200, Http.get(gw + "/v2/team/gone/manifests/v1").statusCode());
    assertEquals(200, Http.get(gw + "/v2/team/gone/manifests/" + md).statusCode());

    assertEquals(202, Http.send("DELETE", gw + "/v2/team/gone/manifests/" + md, null).statusCode());
    for (String ref : List.of(md.toString(), "v1")) {
      HttpResponse<String> r = Http.get(gw + "/v2/team/gone/manifests/" + ref);
      assertEquals(404, r.statusCode(), ref + ": " + r.body());
      assertEquals("MANIFEST_UNKNOWN", Http.errorCode(r));
    }
  }

  @Test
  void aDeletedBlobIsGoneAtOnce() throws Exception {
    byte[] manifest = pushImageTo(gw, "team/gone-blob", 26);
    Digest layer = ManifestCodec.readManifest(manifest).layers().get(0).parsedDigest();
    assertEquals(200, Http.getBytes(gw + "/v2/team/gone-blob/blobs/" + layer).statusCode());
    assertEquals(
        202, Http.send("DELETE", gw + "/v2/team/gone-blob/blobs/" + layer, null).statusCode());
    HttpResponse<String> blob = Http.get(gw + "/v2/team/gone-blob/blobs/" + layer);
    assertEquals(404, blob.statusCode(), blob.body());
    assertEquals("BLOB_UNKNOWN", Http.errorCode(blob));
    assertEquals(
        404, Http.send("HEAD", gw + "/v2/team/gone-blob/blobs/" + layer, null).statusCode());
  }

  @Test
  void aManifestWithASubjectIsListedInItsReferrersAtOnce() throws Exception {
    String repo = "team/refd";
    byte[] subject = pushTagged(repo, 24);
    Digest sd = Digest.sha256(subject);

    // Asked before anything refers to it, and so cached as empty.
    assertEquals(0, referrers(gw + "/v2/" + repo + "/referrers/" + sd).manifests().size());

    byte[] sbom = referrer(repo, ARTIFACT, MediaTypes.OCI_EMPTY, sd, subject.length, "sbom");
    byte[] plain = referrer(repo, null, CONFIG_TYPE, sd, subject.length, "plain");
    Digest sbomDigest = Digest.sha256(sbom);
    Digest plainDigest = Digest.sha256(plain);
    for (byte[] r : List.of(sbom, plain)) {
      HttpResponse<String> put =
          putManifest(repo, Digest.sha256(r).toString(), r, MediaTypes.OCI_MANIFEST);
      assertEquals(sd.toString(), put.headers().firstValue("OCI-Subject").orElse(null));
    }

    ImageIndex listed = referrers(gw + "/v2/" + repo + "/referrers/" + sd);
    assertEquals(2, listed.manifests().size(), listed.toString());
    Descriptor first = listed.manifests().get(0);
    assertEquals(sbomDigest.toString(), first.digest());
    assertEquals(ARTIFACT, first.artifactType());
    assertEquals(sbom.length, first.size());
    assertEquals(MediaTypes.OCI_MANIFEST, first.mediaType());
    assertEquals(Map.of("org.example.name", "sbom"), first.annotations());
    Descriptor second = listed.manifests().get(1);
    assertEquals(plainDigest.toString(), second.digest());
    assertEquals(CONFIG_TYPE, second.artifactType(), "no artifactType: the config's media type");

    HttpResponse<String> filtered =
        Http.get(
            gw
                + "/v2/"
                + repo
                + "/referrers/"
                + sd
                + "?artifactType="
                + java.net.URLEncoder.encode(CONFIG_TYPE, StandardCharsets.UTF_8));
    assertEquals(
        "artifactType", filtered.headers().firstValue("OCI-Filters-Applied").orElseThrow());
    ImageIndex onlyPlain =
        ManifestCodec.readIndex(filtered.body().getBytes(StandardCharsets.UTF_8));
    assertEquals(
        List.of(plainDigest.toString()),
        onlyPlain.manifests().stream().map(Descriptor::digest).toList());

    // The upstream has no referrers API: the tag schema index is there, as a client would keep it.
    assertEquals(2, upstreamTagIndex(repo, sd).manifests().size());

    assertEquals(
        202,
        Http.send("DELETE", gw + "/v2/" + repo + "/manifests/" + sbomDigest, null).statusCode());
    ImageIndex after = referrers(gw + "/v2/" + repo + "/referrers/" + sd);
    assertEquals(
        List.of(plainDigest.toString()),
        after.manifests().stream().map(Descriptor::digest).toList());
    assertEquals(
        List.of(plainDigest.toString()),
        upstreamTagIndex(repo, sd).manifests().stream().map(Descriptor::digest).toList());
  }

  @Test
  void concurrentReferrersOfOneSubjectAreAllListed() throws Exception {
    String repo = "team/refd-many";
    byte[] subject = pushTagged(repo, 28);
    Digest sd = Digest.sha256(subject);
    List<byte[]> many = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      many.add(referrer(repo, ARTIFACT, MediaTypes.OCI_EMPTY, sd, subject.length, "n" + i));
    }
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> puts = new ArrayList<>();
    for (byte[] r : many) {
      puts.add(
          Http.CLIENT.sendAsync(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(gw + "/v2/" + repo + "/manifests/" + Digest.sha256(r)))
                  .header("Content-Type", MediaTypes.OCI_MANIFEST)
                  .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(r))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    for (var put : puts) {
      assertEquals(sd.toString(), put.get().headers().firstValue("OCI-Subject").orElse(null));
    }
    assertEquals(
        many.stream().map(r -> Digest.sha256(r).toString()).sorted().toList(),
        referrers(gw + "/v2/" + repo + "/referrers/" + sd).manifests().stream()
            .map(Descriptor::digest)
            .sorted()
            .toList(),
        "read-modify-writes of one subject's tag run one at a time: none lost");
  }

  @Test
  void anIndexWithASubjectIsAReferrerToo() throws Exception {
    String repo = "team/refd-index";
    byte[] subject = pushTagged(repo, 27);
    Digest sd = Digest.sha256(subject);
    byte[] index =
        ManifestCodec.write(
            new ImageIndex(
                2,
                MediaTypes.OCI_INDEX,
                "application/vnd.example.bundle",
                List.of(Descriptor.of(MediaTypes.OCI_MANIFEST, sd, subject.length)),
                Descriptor.of(MediaTypes.OCI_MANIFEST, sd, subject.length),
                Map.of("org.example.name", "bundle")));
    Digest id = Digest.sha256(index);
    HttpResponse<String> put = putManifest(repo, id.toString(), index, MediaTypes.OCI_INDEX);
    assertEquals(sd.toString(), put.headers().firstValue("OCI-Subject").orElse(null));
    List<Descriptor> listed = referrers(gw + "/v2/" + repo + "/referrers/" + sd).manifests();
    assertEquals(1, listed.size(), listed.toString());
    assertEquals(id.toString(), listed.get(0).digest());
    assertEquals(MediaTypes.OCI_INDEX, listed.get(0).mediaType());
    assertEquals("application/vnd.example.bundle", listed.get(0).artifactType());
  }

  @Test
  void anEmptyReferrersListHasAnEmptyManifestsArray() throws Exception {
    HttpResponse<String> none =
        Http.get(gw + "/v2/team/nobody/referrers/" + Digest.sha256(new byte[] {7}));
    assertEquals(200, none.statusCode());
    assertEquals(
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            + "\"manifests\":[]}",
        none.body());
  }

  @Test
  void aMalformedTagIsAnUnknownManifestButAMalformedNameStaysInvalid() throws Exception {
    for (String method : List.of("GET", "HEAD")) {
      HttpResponse<String> r =
          Http.send(method, gw + "/v2/team/any/manifests/.INVALID_MANIFEST_NAME", null);
      assertEquals(404, r.statusCode(), method);
      if (method.equals("GET")) {
        assertEquals("MANIFEST_UNKNOWN", Http.errorCode(r));
      }
    }
    HttpResponse<String> badName = Http.get(gw + "/v2/Team/any/manifests/.INVALID_MANIFEST_NAME");
    assertEquals(400, badName.statusCode());
    assertEquals("NAME_INVALID", Http.errorCode(badName));
  }

  @Test
  void tagListsAreInLexicalOrderPagedOrNot() throws Exception {
    List<String> sorted = UNSORTED.stream().sorted().toList();
    HttpResponse<String> all = Http.get(gw + "/v2/unsorted/team/app/tags/list");
    assertEquals(200, all.statusCode(), all.body());
    assertEquals(tagsJson("unsorted/team/app", sorted), all.body());
    assertTrue(all.headers().firstValue("Link").isEmpty());

    List<String> walked = new ArrayList<>();
    String next = "/v2/unsorted/team/app/tags/list?n=3";
    int pages = 0;
    while (next != null) {
      HttpResponse<String> page = Http.get(gw + next);
      assertEquals(200, page.statusCode(), page.body());
      var tags = new io.vertx.core.json.JsonObject(page.body()).getJsonArray("tags");
      tags.forEach(t -> walked.add((String) t));
      next =
          page.headers().firstValue("Link").map(l -> l.substring(1, l.indexOf('>'))).orElse(null);
      assertTrue(++pages <= sorted.size(), "pagination ends");
    }
    assertEquals(sorted, walked, "every tag once, in order, across pages");
    assertEquals(3, pages);
    HttpResponse<String> after = Http.get(gw + "/v2/unsorted/team/app/tags/list?last=a2");
    assertEquals(tagsJson("unsorted/team/app", sorted.subList(3, sorted.size())), after.body());
  }

  @Test
  void uploadIdsHideTheUpstreamAndStayBoundToTheirRepository() throws Exception {
    byte[] blob = RegistryProtocolIT.random(200_000, 25);
    Digest d = Digest.sha256(blob);
    HttpResponse<String> started = Http.send("POST", gw + "/v2/team/up/blobs/uploads/", null);
    assertEquals(202, started.statusCode(), started.body());
    String location = started.headers().firstValue("Location").orElseThrow();
    assertRevealsNothing(location);

    int half = blob.length / 2;
    HttpResponse<String> patch =
        Http.send(
            "PATCH",
            location,
            Arrays.copyOfRange(blob, 0, half),
            "Content-Type",
            "application/octet-stream",
            "Content-Range",
            "0-" + (half - 1));
    assertEquals(202, patch.statusCode(), patch.body());
    location = patch.headers().firstValue("Location").orElseThrow();
    assertRevealsNothing(location);

    String id = location.substring(location.lastIndexOf('/') + 1);
    HttpResponse<String> moved =
        Http.send(
            "PATCH",
            gw + "/v2/team/elsewhere/blobs/uploads/" + id,
            Arrays.copyOfRange(blob, half, blob.length),
            "Content-Range",
            half + "-" + (blob.length - 1));
    assertEquals(404, moved.statusCode(), moved.body());
    assertEquals("BLOB_UPLOAD_UNKNOWN", Http.errorCode(moved));

    HttpResponse<String> done =
        Http.send(
            "PUT",
            withQuery(location, "digest=" + d),
            Arrays.copyOfRange(blob, half, blob.length),
            "Content-Type",
            "application/octet-stream");
    assertEquals(201, done.statusCode(), done.body());
    assertArrayEquals(blob, Http.getBytes(registry.url() + "/v2/team/up/blobs/" + d).body());
  }

  private static void assertRevealsNothing(String location) {
    assertTrue(location.startsWith(gw + "/v2/team/up/blobs/uploads/"), location);
    String id = location.substring(location.lastIndexOf('/') + 1);
    assertFalse(id.contains("?"), location);
    StringBuilder decoded = new StringBuilder();
    for (String part : id.split("\\.")) { // the former format was <location>.<mac>
      decoded.append(new String(Base64.getUrlDecoder().decode(part), StandardCharsets.ISO_8859_1));
    }
    for (String secret :
        List.of(registry.hostPort(), String.valueOf(registry.port()), "_state", "127.0.0.1")) {
      assertFalse(decoded.toString().contains(secret), secret + " in the decoded id: " + decoded);
      assertFalse(location.contains(secret + "/"), secret + " in " + location);
    }
    assertFalse(location.contains("_state"), location);
  }

  private static String tagsJson(String name, List<String> tags) {
    return "{\"name\":\""
        + name
        + "\",\"tags\":["
        + String.join(",", tags.stream().map(t -> "\"" + t + "\"").toList())
        + "]}";
  }

  /** Pushes an artifact manifest referring to {@code subject}; returns its bytes. */
  private static byte[] referrer(
      String repo, String artifactType, String configType, Digest subject, long size, String name)
      throws Exception {
    byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
    Digest e = Digest.sha256(empty);
    assertEquals(
        201,
        Http.send("POST", gw + "/v2/" + repo + "/blobs/uploads/?digest=" + e, empty).statusCode());
    return ManifestCodec.write(
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            artifactType,
            Descriptor.of(configType, e, empty.length),
            List.of(Descriptor.of(MediaTypes.OCI_EMPTY, e, empty.length)),
            Descriptor.of(MediaTypes.OCI_MANIFEST, subject, size),
            Map.of("org.example.name", name)));
  }

  /** Pushes an image through the gateway, tagged v1; returns its manifest. */
  private static byte[] pushTagged(String repo, int seed) throws Exception {
    byte[] manifest = pushImageTo(gw, repo, seed);
    putManifest(repo, "v1", manifest, MediaTypes.OCI_MANIFEST);
    return manifest;
  }

  private static HttpResponse<String> putManifest(
      String repo, String reference, byte[] bytes, String type) throws Exception {
    HttpResponse<String> put =
        Http.send(
            "PUT", gw + "/v2/" + repo + "/manifests/" + reference, bytes, "Content-Type", type);
    assertEquals(201, put.statusCode(), put.body());
    return put;
  }

  private static ImageIndex referrers(String url) throws Exception {
    HttpResponse<String> r = Http.get(url);
    assertEquals(200, r.statusCode(), r.body());
    return ManifestCodec.readIndex(r.body().getBytes(StandardCharsets.UTF_8));
  }

  private static ImageIndex upstreamTagIndex(String repo, Digest subject) throws Exception {
    HttpResponse<String> r =
        Http.get(
            registry.url() + "/v2/" + repo + "/manifests/" + subject.referrersTag(),
            "Accept",
            MediaTypes.OCI_INDEX);
    assertEquals(200, r.statusCode(), r.body());
    return ManifestCodec.readIndex(r.body().getBytes(StandardCharsets.UTF_8));
  }
}
