package io.portcullis.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The {@code Range} parser an outsider reaches: never throws, never selects outside the blob. */
class ByteRangeTest {

  @Property
  void arbitraryHeadersNeverThrow(
      @ForAll String header, @ForAll @LongRange(max = 1L << 40) long size) {
    ByteRange.parse(header).ifPresent(r -> r.within(size));
  }

  @Property
  void rangeShapedHeadersNeverThrow(
      @ForAll("rangeHeaders") String header, @ForAll @LongRange(max = Long.MAX_VALUE) long size) {
    ByteRange.parse(header).ifPresent(r -> r.within(size));
  }

  @Property
  void satisfiableRangesLieWithinTheBlob(
      @ForAll("rangeHeaders") String header, @ForAll @LongRange(max = Long.MAX_VALUE) long size) {
    Optional<ByteRange> range = ByteRange.parse(header);
    range
        .flatMap(r -> r.within(size))
        .ifPresent(
            span -> {
              assertTrue(span.offset() >= 0, span.toString());
              assertTrue(span.length() > 0, span.toString());
              assertTrue(span.end() < size, span + " of " + size);
              assertEquals(span.offset() + span.length() - 1, span.end());
            });
  }

  @Property
  void positionsPastAnyBlobAreUnsatisfiableNotErrors(
      @ForAll @IntRange(min = 1, max = 300) int digits,
      @ForAll @LongRange(max = Long.MAX_VALUE) long size) {
    String huge = "9".repeat(digits + 19);
    ByteRange open = ByteRange.parse("bytes=" + huge + "-").orElseThrow();
    assertTrue(open.within(size).isEmpty());
    ByteRange suffix = ByteRange.parse("bytes=-" + huge).orElseThrow();
    // A suffix longer than the blob is the whole blob.
    suffix.within(size).ifPresent(span -> assertEquals(size, span.length()));
  }

  @Example
  void theUsualForms() {
    assertEquals(
        new ByteRange.Span(1000, 1000),
        ByteRange.parse("bytes=1000-1999").orElseThrow().within(5000).orElseThrow());
    assertEquals(
        new ByteRange.Span(4990, 10),
        ByteRange.parse("bytes=-10").orElseThrow().within(5000).orElseThrow());
    assertEquals(
        new ByteRange.Span(100, 4900),
        ByteRange.parse("bytes=100-").orElseThrow().within(5000).orElseThrow());
    assertEquals(
        new ByteRange.Span(0, 5000),
        ByteRange.parse("bytes=0-999999").orElseThrow().within(5000).orElseThrow());
    assertTrue(ByteRange.parse("bytes=5000-").orElseThrow().within(5000).isEmpty());
    assertTrue(ByteRange.parse("bytes=-0").orElseThrow().within(5000).isEmpty());
    assertTrue(ByteRange.parse("bytes=0-0").orElseThrow().within(0).isEmpty());
  }

  @Example
  void malformedHeadersAreEmpty() {
    for (String bad :
        new String[] {
          "",
          "bytes=",
          "bytes=-",
          "bytes=x-y",
          "lines=1-2",
          "bytes=5-3",
          "bytes=1-2,4-5",
          "bytes=١-٢"
        }) {
      assertTrue(ByteRange.parse(bad).isEmpty(), bad);
    }
  }

  @Provide
  Arbitrary<String> rangeHeaders() {
    Arbitrary<String> position =
        Arbitraries.oneOf(
            Arbitraries.longs().between(0, Long.MAX_VALUE).map(l -> Long.toString(l)),
            Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(40),
            Arbitraries.just(""));
    return net.jqwik.api.Combinators.combine(position, position)
        .as((a, b) -> "bytes=" + a + "-" + b);
  }
}
