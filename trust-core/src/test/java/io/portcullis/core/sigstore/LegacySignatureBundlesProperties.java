package io.portcullis.core.sigstore;

import static io.portcullis.core.testing.Mutations.onlyThrows;

import io.portcullis.core.cosign.CosignAnnotations;
import io.portcullis.core.testing.Mutations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever an upstream writes into a legacy {@code .sig} layer's annotations, {@link
 * LegacySignatureBundles#toBundle} builds a bundle or refuses with {@link SigstoreFormatException}
 * (the one exception its callers catch), never another exception.
 */
class LegacySignatureBundlesProperties {
  private static final List<String> KEYS =
      List.of(
          CosignAnnotations.SIGNATURE,
          CosignAnnotations.CERTIFICATE,
          CosignAnnotations.CHAIN,
          CosignAnnotations.BUNDLE,
          LegacySignatureBundles.RFC3161_TIMESTAMP);

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.of(KEYS);
  }

  @Provide
  Arbitrary<byte[]> values() {
    Map<String, String> good = LegacySignatureBundlesTest.annotations();
    return Mutations.inputsLike(
        KEYS.stream().map(k -> good.get(k).getBytes(StandardCharsets.UTF_8)).toList());
  }

  @Property(tries = 1500)
  void anyAnnotationValueBuildsABundleOrIsRefused(
      @ForAll("keys") String key, @ForAll("values") byte[] value) {
    Map<String, String> a = LegacySignatureBundlesTest.annotations();
    a.put(key, new String(value, StandardCharsets.UTF_8));
    onlyThrows(
        SigstoreFormatException.class,
        () -> LegacySignatureBundles.toBundle(LegacySignatureBundlesTest.layer(a)));
  }
}
