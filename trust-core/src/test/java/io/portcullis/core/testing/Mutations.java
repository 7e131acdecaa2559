package io.portcullis.core.testing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators for property tests of parsers an outsider reaches: valid seed documents damaged by a
 * few byte-level and JSON-token-level mutations (as a coverage-blind fuzzer would), and arbitrary
 * bytes. Positions are fractions of the seed's length, so a shrunk counterexample stays readable.
 */
public final class Mutations {
  private static final List<String> TOKENS =
      List.of(
          "{",
          "}",
          "[",
          "]",
          "\"",
          ",",
          ":",
          "\\",
          "\\u0000",
          "\\ud800",
          "null",
          "true",
          "-0",
          "1e999999",
          "99999999999999999999",
          "0.5",
          "\"\":",
          "{\"a\":1,\"a\":2}",
          "\u00ff",
          "\u212a",
          "\n",
          " ");

  private Mutations() {}

  /** One edit of a document. */
  public record Edit(Kind kind, double at, double to, byte value, String token) {
    byte[] apply(byte[] doc) {
      int a = (int) (at * doc.length);
      int b = Math.max(a, (int) (to * doc.length));
      return switch (kind) {
        case TRUNCATE -> Arrays.copyOf(doc, a);
        case SET_BYTE -> {
          byte[] out = doc.clone();
          if (a < out.length) {
            out[a] = value;
          }
          yield out;
        }
        case INSERT_BYTE -> splice(doc, a, a, new byte[] {value});
        case DELETE -> splice(doc, a, b, new byte[0]);
        case DUPLICATE -> splice(doc, b, b, Arrays.copyOfRange(doc, a, b));
        case INSERT_TOKEN -> splice(doc, a, a, token.getBytes(StandardCharsets.UTF_8));
        case REPLACE_TOKEN -> splice(doc, a, b, token.getBytes(StandardCharsets.UTF_8));
      };
    }
  }

  /** The kinds of edit. */
  public enum Kind {
    TRUNCATE,
    SET_BYTE,
    INSERT_BYTE,
    DELETE,
    DUPLICATE,
    INSERT_TOKEN,
    REPLACE_TOKEN
  }

  /** Seeds with one to four edits each; an unedited seed comes up too. */
  public static Arbitrary<byte[]> of(List<byte[]> seeds) {
    Arbitrary<List<Edit>> edits = edit().list().ofMinSize(0).ofMaxSize(4);
    return Combinators.combine(Arbitraries.of(seeds), edits)
        .as(
            (seed, list) -> {
              byte[] doc = seed;
              for (Edit e : list) {
                doc = e.apply(doc);
              }
              return doc;
            });
  }

  /** Mutated seeds, arbitrary bytes and arbitrary text, for a parser of {@code seeds}' format. */
  public static Arbitrary<byte[]> inputsLike(List<byte[]> seeds) {
    return Arbitraries.frequencyOf(
        Tuple.of(6, of(seeds)),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(512)),
        Tuple.of(
            1,
            Arbitraries.strings()
                .withChars("{}[]\":,\\ 0123456789.-+eEtruefalsn")
                .ofMaxLength(200)
                .map(s -> s.getBytes(StandardCharsets.UTF_8))));
  }

  private static Arbitrary<Edit> edit() {
    return Combinators.combine(
            Arbitraries.of(Kind.class),
            Arbitraries.doubles().between(0, 1),
            Arbitraries.doubles().between(0, 1),
            Arbitraries.bytes(),
            Arbitraries.of(TOKENS))
        .as(Edit::new);
  }

  private static byte[] splice(byte[] doc, int from, int to, byte[] insert) {
    byte[] out = new byte[doc.length - (to - from) + insert.length];
    System.arraycopy(doc, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(doc, to, out, from + insert.length, doc.length - to);
    return out;
  }

  // Catches hangs and blow-ups, not slowness: the machine running the tests is shared.
  private static final long LIMIT_MILLIS = 5000;

  /**
   * Asserts that {@code parse} returns or throws {@code allowed}, within {@value #LIMIT_MILLIS} ms.
   */
  public static void onlyThrows(Class<? extends Throwable> allowed, Runnable parse) {
    long start = System.nanoTime();
    try {
      parse.run();
    } catch (Throwable t) {
      if (!allowed.isInstance(t)) {
        throw new AssertionError(
            "expected " + allowed.getSimpleName() + " or success, got " + t, t);
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (millis > LIMIT_MILLIS) {
      throw new AssertionError("parse took " + millis + " ms");
    }
  }
}
