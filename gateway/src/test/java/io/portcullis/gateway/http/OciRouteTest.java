package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OciRouteTest {
  private static final String D = "sha256:" + "a".repeat(64);

  @Test
  void parsesEveryEndpoint() {
    assertInstanceOf(OciRoute.Base.class, OciRoute.parse("/v2/"));
    OciRoute.Manifest m =
        (OciRoute.Manifest) OciRoute.parse("/v2/docker.io/library/alpine/manifests/3.20");
    assertEquals("docker.io/library/alpine", m.name().value());
    assertEquals("3.20", m.reference().toString());
    OciRoute.Manifest byDigest = (OciRoute.Manifest) OciRoute.parse("/v2/a/manifests/" + D);
    assertEquals(D, byDigest.reference().toString());
    OciRoute.Blob b = (OciRoute.Blob) OciRoute.parse("/v2/a/b/blobs/" + D);
    assertEquals("a/b", b.name().value());
    assertEquals(
        "a/b", ((OciRoute.UploadStart) OciRoute.parse("/v2/a/b/blobs/uploads/")).name().value());
    assertEquals(
        "a/b", ((OciRoute.UploadStart) OciRoute.parse("/v2/a/b/blobs/uploads")).name().value());
    assertEquals("a", ((OciRoute.TagList) OciRoute.parse("/v2/a/tags/list")).name().value());
    assertEquals(
        D, ((OciRoute.Referrers) OciRoute.parse("/v2/a/referrers/" + D)).digest().toString());
    OciRoute.Upload u = (OciRoute.Upload) OciRoute.parse("/v2/x/y/blobs/uploads/" + "A".repeat(40));
    assertEquals("x/y", u.name().value());
  }

  @Test
  void keywordsInsideNamesStillParse() {
    // A repository may itself be called "manifests" or "blobs": the last keyword decides.
    OciRoute.Manifest m = (OciRoute.Manifest) OciRoute.parse("/v2/manifests/blobs/manifests/v1");
    assertEquals("manifests/blobs", m.name().value());
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    "GET, /v2/a/manifests/.INVALID_MANIFEST_NAME, MANIFEST_UNKNOWN",
    "HEAD, /v2/a/manifests/-tag, MANIFEST_UNKNOWN",
    "PUT, /v2/a/manifests/-tag, TAG_INVALID",
    "DELETE, /v2/a/manifests/-tag, TAG_INVALID",
    "GET, /v2/a/manifests/sha256:abc, DIGEST_INVALID",
    "GET, /v2/Team/manifests/.bad, NAME_INVALID"
  })
  void aMalformedTagIsAnUnknownManifestToReadsOnly(String method, String path, OciErrorCode code) {
    OciException e =
        assertThrows(
            OciException.class,
            () -> OciRoute.parse(path, io.vertx.core.http.HttpMethod.valueOf(method)));
    assertEquals(code, e.code());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/v2/Team/app/manifests/v1, NAME_INVALID",
    "/v2/team/../x/manifests/v1, NAME_INVALID",
    "/v2/team//x/manifests/v1, NAME_INVALID",
    "/v2/team%2fx/manifests/v1, NAME_INVALID",
    "/v2/a/manifests/bad:digest, DIGEST_INVALID",
    "/v2/a/manifests/sha256:abc, DIGEST_INVALID",
    "/v2/a/manifests/-tag, TAG_INVALID",
    "/v2/a/blobs/latest, DIGEST_INVALID",
    "/v2/a/blobs/md5:d41d8cd98f00b204e9800998ecf8427e, DIGEST_INVALID",
    "/v2/a/referrers/x, DIGEST_INVALID",
    "/v2/a/blobs/uploads/not-an-id, BLOB_UPLOAD_UNKNOWN",
    "/v2/a/blobs/uploads/abcd.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA, BLOB_UPLOAD_UNKNOWN",
    "/v2/a/uploads/abcd.AAAAAAAAAAAAAAAAAAAAAA, NOT_FOUND",
    "/v2/a/other/x, NOT_FOUND",
    "/v2/a, NOT_FOUND",
    "/etc/passwd, NOT_FOUND",
    "/v1/_ping, NOT_FOUND",
    "/, NOT_FOUND"
  })
  void refusesMalformedPathsWithTheRightCode(String path, OciErrorCode code) {
    OciException e = assertThrows(OciException.class, () -> OciRoute.parse(path));
    assertEquals(code, e.code());
    assertEquals(code.status() >= 400 && code.status() < 500, true, "a client error, never a 5xx");
  }
}
