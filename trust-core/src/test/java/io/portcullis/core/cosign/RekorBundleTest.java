package io.portcullis.core.cosign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RekorBundleTest {

  private static RekorBundle fixtureBundle() {
    return RekorBundle.parse(
        CosignFixtures.layers("dir-img-cosign-key-rekor-valid")
            .get(0)
            .annotation(CosignAnnotations.BUNDLE)
            .orElseThrow());
  }

  @Test
  void canonicalPayloadSortsKeysWithoutWhitespace() {
    RekorBundle bundle = fixtureBundle();
    String canonical = new String(bundle.canonicalPayload(), StandardCharsets.UTF_8);
    assertEquals(
        "{\"body\":\""
            + bundle.body()
            + "\",\"integratedTime\":1674251859,"
            + "\"logID\":\"c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d\","
            + "\"logIndex\":11608800}",
        canonical);
    assertEquals(Instant.parse("2023-01-20T21:57:39Z"), bundle.integratedAt());
  }

  @Test
  void signedEntryTimestampVerifiesWithTheRekorKeyOnly() {
    RekorBundle bundle = fixtureBundle();
    assertTrue(bundle.verifySignedEntryTimestamp(List.of(CosignFixtures.rekorKey())).isEmpty());
    assertTrue(
        bundle
            .verifySignedEntryTimestamp(List.of(CosignFixtures.key("cosign2.pub")))
            .orElseThrow()
            .contains("not a trusted transparency log"));
  }

  @Test
  void malformedBundleIsRefused() {
    assertThrows(InvalidPayloadException.class, () -> RekorBundle.parse("{}"));
    assertThrows(InvalidPayloadException.class, () -> RekorBundle.parse("nope"));
  }
}
