package io.portcullis.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SkopeoReferenceTest {
  @ParameterizedTest
  @CsvSource({
    "docker://127.0.0.1:5000/app:1, true",
    "docker://localhost:5000/team/app@sha256:00, true",
    "docker://[::1]:5000/app:1, true",
    "oci:/tmp/layout:latest, false",
    "dir:/tmp/pulled, false"
  })
  void loopbackRegistriesAndLocalTransportsAreAllowed(String ref, boolean registry) {
    assertEquals(registry, Skopeo.isRegistry(ref));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "docker://docker.io/library/alpine:3",
        "docker://127.0.0.1.example.com/app:1",
        "docker://ghcr.io:443/app:1",
        "docker://app:1"
      })
  void anyOtherHostIsRefusedSoNoTestReachesTheInternet(String ref) {
    assertThrows(IllegalArgumentException.class, () -> Skopeo.isRegistry(ref));
  }
}
