package io.portcullis.core.json;

import static io.portcullis.core.testing.Mutations.onlyThrows;

import io.portcullis.core.cosign.InvalidPayloadException;
import io.portcullis.core.cosign.SigstoreJsonSignature;
import io.portcullis.core.notation.EnvelopeException;
import io.portcullis.core.notation.EnvelopeFormat;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.testing.InteropFixtures;
import io.portcullis.core.testing.Mutations;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reference tools' own files in {@code shared/interop}, mutated as the parser properties mutate
 * the documents the project signs ({@code SignedSeeds}), where the folder is present: skipped with
 * one line without it, failed with {@code CI=true}. The properties do not need these; they add the
 * byte layouts of other writers (RSA chains, PS256, Docker manifests, notation-go's CBOR).
 */
class InteropOriginalsMutationTest {
  private static final int TRIES = 2000;

  static Stream<Arguments> originals() {
    Consumer<byte[]> jws = EnvelopeFormat.JWS::parse;
    return Stream.of(
        Arguments.of(
            "cosign/dir-img-cosign-valid/manifest.json",
            ManifestCodec.InvalidManifestException.class,
            (Consumer<byte[]>) ManifestCodec::readManifest),
        Arguments.of(
            "cosign/dir-img-cosign-valid/signature-1",
            InvalidPayloadException.class,
            (Consumer<byte[]>) SigstoreJsonSignature::parse),
        Arguments.of("notation/envelopes/jws_signature.sig", EnvelopeException.class, jws),
        Arguments.of("notation/envelopes/ca_valid_sig_env.json", EnvelopeException.class, jws),
        Arguments.of(
            "notation/envelopes/cose_signature.sig",
            EnvelopeException.class,
            (Consumer<byte[]>) EnvelopeFormat.COSE::parse));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("originals")
  void mutatedOriginalsOnlyThrowTheParsersException(
      String file, Class<? extends RuntimeException> allowed, Consumer<byte[]> parse) {
    byte[] original = InteropFixtures.bytes(file);
    Iterator<byte[]> inputs =
        Mutations.of(List.of(original)).sampleStream().limit(TRIES).iterator();
    while (inputs.hasNext()) {
      byte[] input = inputs.next();
      try {
        onlyThrows(allowed, () -> parse.accept(input));
      } catch (AssertionError e) {
        // No shrinking here: the input itself is what a plain regression test needs.
        throw new AssertionError(
            file + " mutated to base64 " + Base64.getEncoder().encodeToString(input) + ": " + e, e);
      }
    }
  }
}
