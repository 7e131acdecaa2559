package io.portcullis.core.notation;

import static io.portcullis.core.testing.Mutations.onlyThrows;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.portcullis.core.testing.Mutations;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link CborReader} and the COSE envelope reader over a real Notation COSE envelope mutated,
 * arbitrary bytes, random CBOR heads (huge declared lengths and counts, every additional-info
 * value) and deep nesting: they return or throw {@link EnvelopeException}, never another exception,
 * never an allocation of a declared size, never a hang.
 */
class CborProperties {
  private static final byte[] COSE = CoseSeed.envelope();

  @Provide
  Arbitrary<byte[]> cbor() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Mutations.inputsLike(List.of(COSE))),
        net.jqwik.api.Tuple.of(3, heads()),
        net.jqwik.api.Tuple.of(1, nested()));
  }

  /** Concatenated CBOR heads with random major type, additional info and argument bytes. */
  static Arbitrary<byte[]> heads() {
    Arbitrary<byte[]> head =
        Combinators.combine(
                Arbitraries.integers().between(0, 7),
                Arbitraries.integers().between(0, 31),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(8))
            .as(
                (major, info, argument) -> {
                  ByteArrayOutputStream out = new ByteArrayOutputStream();
                  out.write((major << 5) | info);
                  out.writeBytes(argument);
                  return out.toByteArray();
                });
    return head.list()
        .ofMaxSize(12)
        .map(
            list -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              list.forEach(out::writeBytes);
              return out.toByteArray();
            });
  }

  /** Arrays, maps and tags nested up to ten thousand deep. */
  static Arbitrary<byte[]> nested() {
    return Combinators.combine(
            Arbitraries.of(
                new byte[] {(byte) 0x81}, new byte[] {(byte) 0xa1, 0x01}, new byte[] {(byte) 0xd2}),
            Arbitraries.integers().between(1, 10_000))
        .as(
            (prefix, depth) -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              for (int i = 0; i < depth; i++) {
                out.writeBytes(prefix);
              }
              out.write(0);
              return out.toByteArray();
            });
  }

  /** Any CBOR value the reader knows, with the extremes of each kind. */
  static Arbitrary<Object> values() {
    Arbitrary<Object> longs =
        Arbitraries.oneOf(
            Arbitraries.longs(),
            Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, 0L, -1L, 1_700_000_000L, -7L, 33L));
    Arbitrary<Object> scalars =
        Arbitraries.oneOf(
            longs,
            longs.map(n -> new CborWriter.Tag(1, n)),
            Arbitraries.of(
                Double.NaN, Double.MAX_VALUE, -0.0, 1.7e9, Double.POSITIVE_INFINITY, true, false),
            Arbitraries.strings().ofMaxLength(8).map(x -> (Object) x),
            Arbitraries.of(
                SignedAttributes.SIGNING_SCHEME,
                SignedAttributes.SIGNING_TIME,
                SignedAttributes.EXPIRY,
                SigningScheme.X509.value(),
                SigningScheme.X509_SIGNING_AUTHORITY.value(),
                SignedAttributes.PAYLOAD_CONTENT_TYPE),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(16).map(b -> (Object) b));
    return Arbitraries.oneOf(
        scalars,
        scalars.list().ofMaxSize(3).map(l -> (Object) l),
        scalars.map(v -> (Object) new CborWriter.Tag(18, v)));
  }

  /** A COSE_Sign1 whose header labels all carry chosen values of any kind. */
  @Provide
  Arbitrary<byte[]> coseWithHostileHeaders() {
    List<Object> labels =
        List.of(
            1L,
            2L,
            3L,
            33L,
            SignedAttributes.SIGNING_SCHEME,
            SignedAttributes.SIGNING_TIME,
            SignedAttributes.AUTHENTIC_SIGNING_TIME,
            SignedAttributes.EXPIRY,
            SignedAttributes.VERIFICATION_PLUGIN,
            "io.cncf.notary.timestampSignature",
            "io.cncf.notary.signingAgent");
    Arbitrary<java.util.Map<Object, Object>> header =
        Combinators.combine(Arbitraries.subsetOf(labels), values().list().ofSize(labels.size()))
            .as(
                (chosen, vals) -> {
                  java.util.Map<Object, Object> map = new java.util.LinkedHashMap<>();
                  map.put(1L, -7L);
                  map.put(2L, List.of(SignedAttributes.SIGNING_SCHEME));
                  map.put(3L, SignedAttributes.PAYLOAD_CONTENT_TYPE);
                  map.put(SignedAttributes.SIGNING_SCHEME, SigningScheme.X509.value());
                  int i = 0;
                  for (Object label : chosen) {
                    map.put(label, vals.get(i++));
                  }
                  return map;
                });
    return Combinators.combine(header, header, values())
        .as(
            (prot, unprot, payload) ->
                CborWriter.encode(
                    new CborWriter.Tag(
                        18,
                        List.of(
                            CborWriter.encode(prot),
                            unprot,
                            payload instanceof byte[] b ? b : new byte[] {'{', '}'},
                            new byte[] {1}))));
  }

  @Property(tries = 3000)
  void coseHeadersOfAnyKindOnlyThrowEnvelopeException(
      @ForAll("coseWithHostileHeaders") byte[] bytes) {
    onlyThrows(EnvelopeException.class, () -> EnvelopeFormat.COSE.parse(bytes));
  }

  @Property(tries = 3000)
  void cborReaderOnlyThrowsEnvelopeException(@ForAll("cbor") byte[] bytes) {
    onlyThrows(EnvelopeException.class, () -> CborReader.read(bytes));
  }

  @Property(tries = 3000)
  void coseReaderOnlyThrowsEnvelopeException(@ForAll("cbor") byte[] bytes) {
    onlyThrows(EnvelopeException.class, () -> EnvelopeFormat.COSE.parse(bytes));
  }

  @Example
  void hugeDeclaredLengthsAndDepthFailFast() {
    byte[][] lies = {
      {0x5b, 0x7f, -1, -1, -1, -1, -1, -1, -1}, // byte string of 2^63-1 bytes
      {0x5b, -1, -1, -1, -1, -1, -1, -1, -1}, // beyond 63 bits
      {0x7a, -1, -1, -1, -1, 'a'}, // text string of 4 GiB
      {(byte) 0x9b, 0x7f, -1, -1, -1, -1, -1, -1, -1, 0}, // array of 2^63-1 items
      {(byte) 0xbb, 0x00, 0, 0, 0, 0x7f, -1, -1, -1, 1, 1}, // map of 2^31 pairs
      {0x5f, 0x41, 0x00, -1}, // indefinite length
      {(byte) 0xf9, 0x3c, 0x00}, // half-precision float: not in the subset
      {(byte) 0xd2}, // a tag with nothing after it
    };
    assertTimeoutPreemptively(
        Duration.ofSeconds(2),
        () -> {
          for (byte[] lie : lies) {
            assertThrows(EnvelopeException.class, () -> CborReader.read(lie));
          }
          byte[] deep = new byte[1_000_000];
          java.util.Arrays.fill(deep, (byte) 0x81);
          assertThrows(EnvelopeException.class, () -> CborReader.read(deep));
        });
  }
}
