package io.portcullis.gateway.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One range of a {@code Range: bytes=...} header (<a
 * href="https://www.rfc-editor.org/rfc/rfc9110#section-14.1.2">RFC 9110 section 14.1.2</a>): {@code
 * bytes=a-b}, {@code bytes=a-} or the suffix {@code bytes=-n}. Positions of any length are accepted
 * and saturate at {@link Long#MAX_VALUE}, so a position past any blob is unsatisfiable (416) rather
 * than an overflow. {@code first} is -1 for a suffix range, {@code last} -1 when open-ended.
 */
record ByteRange(long first, long last) {
  private static final Pattern SYNTAX = Pattern.compile("bytes=(\\d+)?-(\\d+)?");

  /** The bytes of a blob a satisfiable range selects: {@code offset} and {@code length} > 0. */
  record Span(long offset, long length) {
    long end() {
      return offset + length - 1;
    }
  }

  /**
   * The range a header asks for, or empty when it is not one range of bytes (a client error, which
   * this gateway answers 416 {@code RANGE_INVALID}). Never throws.
   */
  static Optional<ByteRange> parse(String header) {
    if (header == null) {
      return Optional.empty();
    }
    Matcher m = SYNTAX.matcher(header.strip());
    if (!m.matches() || (m.group(1) == null && m.group(2) == null)) {
      return Optional.empty();
    }
    long first = m.group(1) == null ? -1 : saturated(m.group(1));
    long last = m.group(2) == null ? -1 : saturated(m.group(2));
    if (first >= 0 && last >= 0 && last < first) {
      // RFC 9110: a range whose last position is before its first is invalid, not unsatisfiable.
      return Optional.empty();
    }
    return Optional.of(new ByteRange(first, last));
  }

  /** The bytes this range selects of a blob of {@code size} bytes; empty when unsatisfiable. */
  Optional<Span> within(long size) {
    if (size <= 0) {
      return Optional.empty();
    }
    if (first < 0) {
      // A suffix of zero bytes selects nothing: unsatisfiable, as RFC 9110 says.
      if (last == 0) {
        return Optional.empty();
      }
      long length = Math.min(last, size);
      return Optional.of(new Span(size - length, length));
    }
    if (first >= size) {
      return Optional.empty();
    }
    long end = last < 0 ? size - 1 : Math.min(last, size - 1);
    return Optional.of(new Span(first, end - first + 1));
  }

  /** A run of decimal digits as a long, {@link Long#MAX_VALUE} when larger. */
  private static long saturated(String digits) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') {
      i++;
    }
    String significant = digits.substring(i);
    if (significant.length() > 19) {
      return Long.MAX_VALUE;
    }
    try {
      return Long.parseLong(significant);
    } catch (NumberFormatException overflow) {
      return Long.MAX_VALUE;
    }
  }
}
