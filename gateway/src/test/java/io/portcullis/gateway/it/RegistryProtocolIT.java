package io.portcullis.gateway.it;

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
import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.Teardown;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OCI distribution protocol through the gateway against a real CNCF distribution upstream, with
 * a plain HTTP client: every upload flavour, manifests, tag pagination and referrers.
 */
class RegistryProtocolIT {
  @TempDir static Path dir;
  static RegistryProcess writable;
  static RegistryProcess readOnly;
  static GatewayFixture gateway;
  static String gw;

  @BeforeAll
  static void start() throws Exception {
    writable = RegistryProcess.start();
    readOnly = RegistryProcess.start();
    gateway =
        GatewayFixture.builder(dir.resolve("data"))
            .upstream("mirror", readOnly.url(), "mirror", false)
            .upstream("internal", writable.url(), "", true)
            .start();
    gw = gateway.url();
  }

  @AfterAll
  static void stop() throws Exception {
    Teardown.closeAll(gateway, writable, readOnly);
  }

  @Test
  void monolithicPostWithDigestLandsUpstream() throws Exception {
    byte[] blob = random(100_000, 1);
    Digest d = Digest.sha256(blob);
    HttpResponse<String> r =
        Http.send(
            "POST",
            gw + "/v2/team/mono/blobs/uploads/?digest=" + d,
            blob,
            "Content-Type",
            "application/octet-stream");
    assertEquals(201, r.statusCode(), r.body());
    assertEquals(gw + "/v2/team/mono/blobs/" + d, r.headers().firstValue("Location").orElseThrow());
    assertArrayEquals(blob, Http.getBytes(writable.url() + "/v2/team/mono/blobs/" + d).body());
  }

  @Test
  void postThenPutAndChunkedPatchesLandUpstream() throws Exception {
    byte[] blob = random(300_000, 2);
    Digest d = Digest.sha256(blob);
    String location = startUpload("team/chunked");
    assertTrue(location.startsWith(gw + "/v2/team/chunked/blobs/uploads/"), location);

    int[] cuts = {0, 100_000, 200_000, blob.length};
    for (int i = 0; i < 3; i++) {
      byte[] chunk = java.util.Arrays.copyOfRange(blob, cuts[i], cuts[i + 1]);
      HttpResponse<String> p =
          Http.send(
              "PATCH",
              location,
              chunk,
              "Content-Type",
              "application/octet-stream",
              "Content-Range",
              cuts[i] + "-" + (cuts[i + 1] - 1));
      assertEquals(202, p.statusCode(), p.body());
      assertEquals("0-" + (cuts[i + 1] - 1), p.headers().firstValue("Range").orElseThrow());
      location = p.headers().firstValue("Location").orElseThrow();
      assertTrue(location.startsWith(gw + "/"), "client only ever sees gateway URLs: " + location);
    }
    HttpResponse<String> status = Http.get(location);
    assertEquals(204, status.statusCode());
    assertEquals("0-" + (blob.length - 1), status.headers().firstValue("Range").orElseThrow());

    HttpResponse<String> done = Http.send("PUT", withQuery(location, "digest=" + d), new byte[0]);
    assertEquals(201, done.statusCode(), done.body());
    assertArrayEquals(blob, Http.getBytes(writable.url() + "/v2/team/chunked/blobs/" + d).body());

    // POST then one PUT carrying the whole body.
    byte[] other = random(5_000, 3);
    String l2 = startUpload("team/chunked");
    HttpResponse<String> put =
        Http.send("PUT", withQuery(l2, "digest=" + Digest.sha256(other)), other);
    assertEquals(201, put.statusCode(), put.body());
  }

  @Test
  void wrongDigestOnCloseIsRefusedByTheUpstream() throws Exception {
    byte[] blob = random(1_000, 4);
    String location = startUpload("team/bad");
    HttpResponse<String> put =
        Http.send("PUT", withQuery(location, "digest=" + Digest.sha256(new byte[] {1})), blob);
    assertEquals(400, put.statusCode());
    assertEquals("DIGEST_INVALID", Http.errorCode(put));
  }

  @Test
  void crossRepositoryMountAndCancel() throws Exception {
    byte[] blob = random(50_000, 5);
    Digest d = Digest.sha256(blob);
    assertEquals(
        201, Http.send("POST", gw + "/v2/team/src/blobs/uploads/?digest=" + d, blob).statusCode());

    HttpResponse<String> mount =
        Http.send("POST", gw + "/v2/team/dst/blobs/uploads/?mount=" + d + "&from=team/src", null);
    assertEquals(201, mount.statusCode(), mount.body());
    assertEquals(
        gw + "/v2/team/dst/blobs/" + d, mount.headers().firstValue("Location").orElseThrow());
    assertEquals(
        200, Http.send("HEAD", writable.url() + "/v2/team/dst/blobs/" + d, null).statusCode());
    assertEquals(
        0, writable.count("PATCH", ".*team/dst.*") + writable.count("PUT", ".*team/dst/blobs.*"));

    // From another upstream there is nothing to mount: a plain session starts instead.
    HttpResponse<String> cross =
        Http.send("POST", gw + "/v2/team/dst/blobs/uploads/?mount=" + d + "&from=mirror/x", null);
    assertEquals(202, cross.statusCode());

    String location = cross.headers().firstValue("Location").orElseThrow();
    assertEquals(204, Http.send("DELETE", location, null).statusCode());
    HttpResponse<String> gone = Http.get(location);
    assertEquals(404, gone.statusCode());
    assertEquals("BLOB_UPLOAD_UNKNOWN", Http.errorCode(gone));
  }

  @Test
  void uploadIdsAreBoundToTheirRepository() throws Exception {
    String location = startUpload("team/owner");
    String id =
        location.substring(
            location.lastIndexOf('/') + 1,
            location.indexOf('?') > 0 ? location.indexOf('?') : location.length());
    HttpResponse<String> r =
        Http.send("PATCH", gw + "/v2/team/thief/blobs/uploads/" + id, new byte[] {1, 2});
    assertEquals(404, r.statusCode());
    assertEquals("BLOB_UPLOAD_UNKNOWN", Http.errorCode(r));
  }

  @Test
  void pushesToAReadOnlyUpstreamAreDenied() throws Exception {
    for (HttpResponse<String> r :
        List.of(
            Http.send("POST", gw + "/v2/mirror/ro/app/blobs/uploads/", null),
            Http.send(
                "PUT",
                gw + "/v2/mirror/ro/app/manifests/v1",
                "{}".getBytes(StandardCharsets.UTF_8)),
            Http.send("DELETE", gw + "/v2/mirror/ro/app/manifests/v1", null))) {
      assertEquals(403, r.statusCode());
      assertEquals("DENIED", Http.errorCode(r));
      assertTrue(r.body().contains("'mirror' is read-only"), r.body());
    }
    assertEquals(
        0,
        readOnly.count("POST", ".*ro/app.*")
            + readOnly.count("PUT", ".*ro/app.*")
            + readOnly.count("DELETE", ".*ro/app.*"));
  }

  @Test
  void manifestsByTagAndDigestWithPaginatedTags() throws Exception {
    byte[] manifest = pushImage("team/tags", 6);
    Digest md = Digest.sha256(manifest);
    for (String tag : List.of("a1", "a2", "a3", "a4", "a5")) {
      HttpResponse<String> put =
          Http.send(
              "PUT",
              gw + "/v2/team/tags/manifests/" + tag,
              manifest,
              "Content-Type",
              MediaTypes.OCI_MANIFEST);
      assertEquals(201, put.statusCode(), put.body());
      assertEquals(md.toString(), put.headers().firstValue("Docker-Content-Digest").orElseThrow());
      assertTrue(
          put.headers()
              .firstValue("Location")
              .orElseThrow()
              .startsWith(gw + "/v2/team/tags/manifests/"));
    }
    HttpResponse<byte[]> byTag =
        Http.getBytes(gw + "/v2/team/tags/manifests/a3", "Accept", MediaTypes.OCI_MANIFEST);
    assertArrayEquals(manifest, byTag.body(), "exact bytes");
    assertEquals(md.toString(), byTag.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals(MediaTypes.OCI_MANIFEST, byTag.headers().firstValue("Content-Type").orElseThrow());
    HttpResponse<String> head = Http.send("HEAD", gw + "/v2/team/tags/manifests/" + md, null);
    assertEquals(200, head.statusCode());
    assertEquals(
        String.valueOf(manifest.length), head.headers().firstValue("Content-Length").orElseThrow());

    HttpResponse<String> page1 = Http.get(gw + "/v2/team/tags/tags/list?n=2");
    assertEquals("{\"name\":\"team/tags\",\"tags\":[\"a1\",\"a2\"]}", page1.body());
    String link = page1.headers().firstValue("Link").orElseThrow();
    assertTrue(link.startsWith("</v2/team/tags/tags/list?"), link);
    String next = link.substring(1, link.indexOf('>'));
    HttpResponse<String> page2 = Http.get(gw + next);
    assertTrue(page2.body().contains("\"a3\",\"a4\""), page2.body());

    HttpResponse<String> badDigest =
        Http.send(
            "PUT",
            gw + "/v2/team/tags/manifests/" + Digest.sha256(new byte[] {9}),
            manifest,
            "Content-Type",
            MediaTypes.OCI_MANIFEST);
    assertEquals("DIGEST_INVALID", Http.errorCode(badDigest));
    HttpResponse<String> notJson =
        Http.send(
            "PUT",
            gw + "/v2/team/tags/manifests/bad",
            "not json".getBytes(StandardCharsets.UTF_8),
            "Content-Type",
            MediaTypes.OCI_MANIFEST);
    assertEquals("MANIFEST_INVALID", Http.errorCode(notJson));
    HttpResponse<String> tooBig =
        Http.send(
            "PUT",
            gw + "/v2/team/tags/manifests/big",
            new byte[4 * 1024 * 1024 + 1],
            "Content-Type",
            MediaTypes.OCI_MANIFEST);
    assertEquals(413, tooBig.statusCode());

    assertEquals(202, Http.send("DELETE", gw + "/v2/team/tags/manifests/" + md, null).statusCode());
    assertEquals("MANIFEST_UNKNOWN", Http.errorCode(Http.get(gw + "/v2/team/tags/manifests/a1")));
  }

  @Test
  void tagListNameAndLinkAreRewrittenForPrefixedUpstreams() throws Exception {
    byte[] manifest = pushImageTo(readOnly.url(), "team/app", 7);
    for (String tag : List.of("t1", "t2", "t3")) {
      Http.send(
          "PUT",
          readOnly.url() + "/v2/team/app/manifests/" + tag,
          manifest,
          "Content-Type",
          MediaTypes.OCI_MANIFEST);
    }
    HttpResponse<String> page = Http.get(gw + "/v2/mirror/team/app/tags/list?n=2");
    assertEquals("{\"name\":\"mirror/team/app\",\"tags\":[\"t1\",\"t2\"]}", page.body());
    assertTrue(
        page.headers()
            .firstValue("Link")
            .orElseThrow()
            .startsWith("</v2/mirror/team/app/tags/list?"));
    HttpResponse<byte[]> pulled = Http.getBytes(gw + "/v2/mirror/team/app/manifests/t2");
    assertArrayEquals(manifest, pulled.body());
  }

  @Test
  void referrersComeFromTheTagSchemaWhenTheUpstreamHasNoApi() throws Exception {
    byte[] subject = pushImage("team/refs", 8);
    Digest subjectDigest = Digest.sha256(subject);
    Http.send(
        "PUT", gw + "/v2/team/refs/manifests/v1", subject, "Content-Type", MediaTypes.OCI_MANIFEST);

    byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
    Http.send("POST", gw + "/v2/team/refs/blobs/uploads/?digest=" + Digest.sha256(empty), empty);
    ImageManifest sig =
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            "application/vnd.example.sbom",
            Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(empty), 2),
            List.of(Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(empty), 2)),
            Descriptor.of(MediaTypes.OCI_MANIFEST, subjectDigest, subject.length),
            Map.of());
    byte[] sigBytes = ManifestCodec.write(sig);
    Digest sigDigest = Digest.sha256(sigBytes);
    assertEquals(
        201,
        Http.send(
                "PUT",
                gw + "/v2/team/refs/manifests/" + sigDigest,
                sigBytes,
                "Content-Type",
                MediaTypes.OCI_MANIFEST)
            .statusCode());
    // The gateway lists it in the referrers tag (ProtocolCorrectnessIT); a client that maintains
    // the tag itself as well, as older clients of an upstream without the API do, does no harm.
    ImageIndex tagIndex =
        new ImageIndex(
            2,
            MediaTypes.OCI_INDEX,
            null,
            List.of(
                Descriptor.of(MediaTypes.OCI_MANIFEST, sigDigest, sigBytes.length)
                    .withArtifactType("application/vnd.example.sbom")),
            null,
            null);
    assertEquals(
        201,
        Http.send(
                "PUT",
                gw + "/v2/team/refs/manifests/" + subjectDigest.referrersTag(),
                ManifestCodec.write(tagIndex),
                "Content-Type",
                MediaTypes.OCI_INDEX)
            .statusCode());

    HttpResponse<String> all = Http.get(gw + "/v2/team/refs/referrers/" + subjectDigest);
    assertEquals(200, all.statusCode());
    assertEquals(MediaTypes.OCI_INDEX, all.headers().firstValue("Content-Type").orElseThrow());
    ImageIndex got = ManifestCodec.readIndex(all.body().getBytes(StandardCharsets.UTF_8));
    assertEquals(1, got.manifests().size());
    assertEquals(sigDigest.toString(), got.manifests().get(0).digest());

    HttpResponse<String> filtered =
        Http.get(
            gw
                + "/v2/team/refs/referrers/"
                + subjectDigest
                + "?artifactType=application/vnd.other");
    assertEquals(
        "artifactType", filtered.headers().firstValue("OCI-Filters-Applied").orElseThrow());
    assertTrue(
        ManifestCodec.readIndex(filtered.body().getBytes(StandardCharsets.UTF_8))
            .manifests()
            .isEmpty());
    HttpResponse<String> kept =
        Http.get(
            gw
                + "/v2/team/refs/referrers/"
                + subjectDigest
                + "?artifactType=application/vnd.example.sbom");
    assertEquals(
        1,
        ManifestCodec.readIndex(kept.body().getBytes(StandardCharsets.UTF_8)).manifests().size());

    HttpResponse<String> none = Http.get(gw + "/v2/team/refs/referrers/" + sigDigest);
    assertEquals(200, none.statusCode());
    assertTrue(
        ManifestCodec.readIndex(none.body().getBytes(StandardCharsets.UTF_8))
            .manifests()
            .isEmpty());
    assertFalse(none.body().contains("errors"));
  }

  static String withQuery(String url, String query) {
    return url + (url.indexOf('?') < 0 ? '?' : '&') + query;
  }

  private static String startUpload(String repo) throws Exception {
    HttpResponse<String> r = Http.send("POST", gw + "/v2/" + repo + "/blobs/uploads/", null);
    assertEquals(202, r.statusCode(), r.body());
    return r.headers().firstValue("Location").orElseThrow();
  }

  /** Uploads a config and a layer through the gateway and returns the manifest bytes. */
  private static byte[] pushImage(String repo, int seed) throws Exception {
    return pushImageTo(gw, repo, seed);
  }

  static byte[] pushImageTo(String base, String repo, int seed) throws Exception {
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"seed\":" + seed + "}")
            .getBytes(StandardCharsets.UTF_8);
    byte[] layer = random(10_000, seed);
    for (byte[] blob : List.of(config, layer)) {
      HttpResponse<String> r =
          Http.send(
              "POST", base + "/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob);
      if (r.statusCode() == 202) {
        String loc = r.headers().firstValue("Location").orElseThrow();
        loc = java.net.URI.create(base).resolve(loc).toString();
        r =
            Http.send(
                "PUT",
                loc + (loc.contains("?") ? "&" : "?") + "digest=" + Digest.sha256(blob),
                blob);
      }
      assertEquals(201, r.statusCode(), r.body());
    }
    return ManifestCodec.write(
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            null,
            Descriptor.of(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length),
            List.of(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(layer), layer.length)),
            null,
            Map.of()));
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }
}
