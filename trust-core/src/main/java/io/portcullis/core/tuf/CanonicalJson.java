package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Canonical JSON as <a
 * href="https://github.com/secure-systems-lab/securesystemslib/blob/main/securesystemslib/formats.py">securesystemslib</a>
 * and go-securesystemslib's {@code cjson} write it (after <a
 * href="http://wiki.laptop.org/go/Canonical_JSON">OLPC</a>): object members sorted by name, no
 * whitespace, strings escaping only {@code "} and {@code \} (every other character, control
 * characters included, written as its UTF-8 bytes), integers only.
 *
 * <p>Written here rather than taken from a library: none of the Java canonical-JSON libraries
 * implements this variant (RFC 8785 escapes control characters and orders by UTF-16), and a single
 * byte of difference makes every signature fail.
 */
public final class CanonicalJson implements Canonicalizer {
  public static final CanonicalJson INSTANCE = new CanonicalJson(false);

  /**
   * Notary v1's canonical JSON, {@code github.com/docker/go/canonical/json}: the same sorted,
   * whitespace-free form, except that U+2028 and U+2029 are written as {@code \u2028} and {@code
   * \u2029}, an unpaired surrogate as {@code \ufffd}, and integers only up to 2^53 (notary re-reads
   * metadata into float64 before it canonicalises, so larger ones cannot round-trip).
   */
  public static final CanonicalJson NOTARY = new CanonicalJson(true);

  private static final BigInteger FLOAT64_EXACT = BigInteger.ONE.shiftLeft(53);

  private final boolean notary;

  private CanonicalJson(boolean notary) {
    this.notary = notary;
  }

  @Override
  public byte[] canonicalize(JsonNode value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    write(value, out);
    return out.toByteArray();
  }

  private void write(JsonNode node, ByteArrayOutputStream out) {
    switch (node.getNodeType()) {
      case OBJECT -> writeObject(node, out);
      case ARRAY -> {
        out.write('[');
        Iterator<JsonNode> elements = node.elements();
        boolean first = true;
        while (elements.hasNext()) {
          if (!first) {
            out.write(',');
          }
          first = false;
          write(elements.next(), out);
        }
        out.write(']');
      }
      case STRING -> writeString(node.textValue(), out);
      case NUMBER -> {
        if (!node.isIntegralNumber()) {
          throw new IllegalArgumentException(
              "canonical JSON has no form for the non-integer number " + node);
        }
        BigInteger n = node.bigIntegerValue();
        if (notary && n.abs().compareTo(FLOAT64_EXACT) > 0) {
          throw new IllegalArgumentException(
              "notary's canonical JSON cannot hold the integer " + n);
        }
        out.writeBytes(n.toString().getBytes(StandardCharsets.US_ASCII));
      }
      case BOOLEAN ->
          out.writeBytes(
              (node.booleanValue() ? "true" : "false").getBytes(StandardCharsets.US_ASCII));
      case NULL -> out.writeBytes("null".getBytes(StandardCharsets.US_ASCII));
      default -> throw new IllegalArgumentException("no canonical JSON for " + node.getNodeType());
    }
  }

  private void writeObject(JsonNode node, ByteArrayOutputStream out) {
    List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
    members.addAll(node.properties());
    // securesystemslib sorts with Python's str order: by code point, not by UTF-16 unit
    members.sort((a, b) -> compareCodePoints(a.getKey(), b.getKey()));
    out.write('{');
    boolean first = true;
    for (Map.Entry<String, JsonNode> member : members) {
      if (!first) {
        out.write(',');
      }
      first = false;
      writeString(member.getKey(), out);
      out.write(':');
      write(member.getValue(), out);
    }
    out.write('}');
  }

  private void writeString(String text, ByteArrayOutputStream out) {
    out.write('"');
    String escaped = text.replace("\\", "\\\\").replace("\"", "\\\"");
    if (notary) {
      escaped = goEscapes(escaped);
    }
    out.writeBytes(escaped.getBytes(StandardCharsets.UTF_8));
    out.write('"');
  }

  /** What Go's encoder writes differently: line/paragraph separators, invalid UTF-16. */
  private static String goEscapes(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\u2028' || c == '\u2029') {
        out.append(c == '\u2028' ? "\\u2028" : "\\u2029");
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        out.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append("\\ufffd");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }
}
