package io.portcullis.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
  private static final String D =
      "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    // input, registry, endpoint, repository, tag ('' = none), digest ('' = none)
    "alpine, docker.io, registry-1.docker.io, library/alpine, latest, ''",
    "alpine:3.19, docker.io, registry-1.docker.io, library/alpine, 3.19, ''",
    "docker.io/alpine, docker.io, registry-1.docker.io, library/alpine, latest, ''",
    "index.docker.io/library/alpine, docker.io, registry-1.docker.io, library/alpine, latest, ''",
    "bitnami/nginx:1, docker.io, registry-1.docker.io, bitnami/nginx, 1, ''",
    "localhost/app, localhost, localhost, app, latest, ''",
    "localhost:5000/app:v1, localhost:5000, localhost:5000, app, v1, ''",
    "127.0.0.1:35111/team/app:v1, 127.0.0.1:35111, 127.0.0.1:35111, team/app, v1, ''",
    "ghcr.io/org/app@" + D + ", ghcr.io, ghcr.io, org/app, '', " + D,
    "ghcr.io/org/app:v2@" + D + ", ghcr.io, ghcr.io, org/app, v2, " + D,
    "Registry.Example.COM:443/a/b/c, registry.example.com:443, registry.example.com:443, a/b/c,"
        + " latest, ''",
    "[::1]:5000/app, [::1]:5000, [::1]:5000, app, latest, ''",
  })
  void parsesAndNormalises(
      String input, String registry, String endpoint, String repo, String tag, String digest) {
    ImageReference ref = ImageReference.parse(input);
    assertEquals(registry, ref.repository().registry());
    assertEquals(endpoint, ref.repository().endpoint());
    assertEquals(repo, ref.repository().name().value());
    assertEquals(tag, ref.tag().map(Object::toString).orElse(""));
    assertEquals(digest, ref.digest().map(Digest::toString).orElse(""));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "  ",
        "UPPER/case",
        "host:5000/app:bad:tag",
        "app@sha256:abc",
        "app@md5:0123456789abcdef0123456789abcdef",
        "host:99999/app",
        "host:5000/",
        "host:5000//app",
        "app:-tag",
        "-host.example/app",
      })
  void refusesMalformed(String input) {
    assertThrows(InvalidReferenceException.class, () -> ImageReference.parse(input));
  }

  @ParameterizedTest
  @CsvSource({
    "alpine, docker.io/library/alpine:latest",
    "localhost:5000/app:v1, localhost:5000/app:v1",
  })
  void printsCanonicalForm(String input, String printed) {
    assertEquals(printed, ImageReference.parse(input).toString());
  }

  @org.junit.jupiter.api.Test
  void pinningToADigestDropsTheTagAndRequestsByDigest() {
    ImageReference pinned =
        ImageReference.parse("localhost:5000/app:v1").withDigest(Digest.parse(D));
    assertEquals("localhost:5000/app@" + D, pinned.toString());
    assertEquals(D, pinned.manifestReference().toString());
  }
}
