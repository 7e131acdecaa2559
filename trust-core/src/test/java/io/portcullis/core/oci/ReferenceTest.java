package io.portcullis.core.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "alpine",
        "library/alpine",
        "docker.io/library/alpine",
        "a/b-c/d__e/f.g",
        "team-a/app",
        "x--y"
      })
  void acceptsValidNames(String name) {
    assertEquals(name, RepositoryName.of(name).value());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Alpine",
        "../etc/passwd",
        "a/../b",
        "a//b",
        "/a",
        "a/",
        "a b",
        "a/.b",
        "a.",
        "a___b",
        "a%2fb"
      })
  void refusesInvalidNames(String name) {
    assertFalse(RepositoryName.isValid(name));
    assertThrows(InvalidReferenceException.class, () -> RepositoryName.of(name));
  }

  @Test
  void refusesOverlongName() {
    assertFalse(RepositoryName.isValid("a".repeat(256)));
    assertTrue(RepositoryName.isValid("a".repeat(255)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"latest", "v1.2.3", "_x", "A-b_c.d"})
  void acceptsValidTags(String tag) {
    assertTrue(Tag.isValid(tag));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".hidden", "-x", "a/b", "a:b"})
  void refusesInvalidTags(String tag) {
    assertFalse(Tag.isValid(tag));
  }

  @Test
  void tagLengthLimitIs128() {
    assertTrue(Tag.isValid("x".repeat(128)));
    assertFalse(Tag.isValid("x".repeat(129)));
  }

  @Test
  void digestOfBytesAndParseRoundTrip() {
    Digest d = Digest.sha256("hello".getBytes(StandardCharsets.UTF_8));
    assertEquals(
        "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", d.toString());
    assertEquals(d, Digest.parse(d.toString()));
    assertEquals(
        "sha256-2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        d.referrersTag());
    assertTrue(d.matches(d.newMessageDigest().digest("hello".getBytes(StandardCharsets.UTF_8))));
    assertFalse(d.matches(d.newMessageDigest().digest("hellO".getBytes(StandardCharsets.UTF_8))));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sha256:abc",
        "sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha256",
        ":abc",
        "sha512:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
      })
  void refusesInvalidDigests(String value) {
    assertFalse(Digest.isDigest(value));
    assertThrows(InvalidReferenceException.class, () -> Digest.parse(value));
  }

  @Test
  void referenceIsTagOrDigest() {
    assertTrue(Reference.parse("sha256:" + "0".repeat(64)).isDigest());
    assertFalse(Reference.parse("latest").isDigest());
    assertThrows(InvalidReferenceException.class, () -> Reference.parse("sha256:zz"));
    assertThrows(InvalidReferenceException.class, () -> Reference.parse("bad tag"));
  }
}
