package io.portcullis.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The one JSON reader for documents that are signed or verified: manifests and indexes, simple
 * signing payloads, DSSE envelopes and in-toto statements, JWS envelopes and Notary payloads, Rekor
 * bundles, image configs. It accepts exactly the RFC 8259 texts that every reader of the same bytes
 * reads alike, and refuses the rest with one {@link InvalidJsonException}:
 *
 * <ul>
 *   <li>a member name given twice in one object: readers disagree on which one counts (Go's {@code
 *       encoding/json} in cosign, notation-go, containerd and distribution keeps the last, other
 *       parsers the first, some refuse), so a signature checked by one reader over one value would
 *       vouch for another in the next;
 *   <li>anything after the value ({@code {..}{..}}), which some readers ignore;
 *   <li>text that is not UTF-8, or starts with a byte-order mark: Jackson would guess UTF-16/32 or
 *       skip the mark where Go refuses;
 *   <li>nesting deeper than {@value #MAX_DEPTH}, numbers longer than {@value #MAX_NUMBER_LENGTH}
 *       digits, names longer than {@value #MAX_NAME_LENGTH} and strings longer than {@value
 *       #MAX_STRING_LENGTH} characters, so an outsider's document costs bounded time and memory.
 * </ul>
 *
 * <p>Member names that differ only in case ({@code digest} and {@code Digest}) are the same
 * ambiguity in another form where Go reads an object into a struct, whose fields it matches
 * case-insensitively: {@link #requireStructNames} refuses them in such an object. It is not applied
 * to every object, because in maps (annotations, labels, predicate content) Go keeps both names
 * apart as Jackson does, and real documents may carry both.
 *
 * <p>Binding to records ({@link #read(byte[], Class)}) also refuses scalar coercions Go refuses
 * ({@code "size":"12"}, {@code "size":1.5}, {@code "digest":7}).
 */
public final class StrictJson {
  /** Deep enough for SLSA provenance and SBOM predicates; OCI documents nest four deep. */
  public static final int MAX_DEPTH = 64;

  public static final int MAX_NUMBER_LENGTH = 64;
  public static final int MAX_NAME_LENGTH = 4096;

  /** A base64 SBOM attestation payload fits; the gateway caps the documents it reads sooner. */
  public static final int MAX_STRING_LENGTH = 64 * 1024 * 1024;

  private static final ObjectMapper MAPPER = mapper(constraints());

  private StrictJson() {}

  /** The configured mapper, for binding trees and for writing. Read bytes through this class. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Reads one JSON value spanning all of {@code json}. */
  public static JsonNode readTree(byte[] json) {
    requireUtf8(json);
    JsonNode node;
    try {
      node = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidJsonException(message(e));
    }
    if (node == null || node.isMissingNode()) {
      throw new InvalidJsonException("no JSON value");
    }
    return node;
  }

  /** {@link #readTree(byte[])} of the UTF-8 encoding of {@code json}. */
  public static JsonNode readTree(String json) {
    return readTree(json.getBytes(StandardCharsets.UTF_8));
  }

  /** Reads a JSON object; any other value is refused. */
  public static JsonNode readObject(byte[] json) {
    JsonNode node = readTree(json);
    if (!node.isObject()) {
      throw new InvalidJsonException("not a JSON object");
    }
    return node;
  }

  /** Reads a JSON object and binds it to {@code type}. */
  public static <T> T read(byte[] json, Class<T> type) {
    return bind(readObject(json), type);
  }

  /** Binds a tree read by this class to {@code type}, refusing scalar coercions. */
  public static <T> T bind(JsonNode node, Class<T> type) {
    try {
      return MAPPER.treeToValue(node, type);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidJsonException(
          "does not fit " + type.getSimpleName() + ": " + firstLine(message(e)));
    }
  }

  /** Compact JSON of {@code value}, for documents this project writes. */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialise " + value.getClass().getSimpleName(), e);
    }
  }

  static StreamReadConstraints constraints() {
    return StreamReadConstraints.builder()
        .maxNestingDepth(MAX_DEPTH)
        .maxNumberLength(MAX_NUMBER_LENGTH)
        .maxNameLength(MAX_NAME_LENGTH)
        .maxStringLength(MAX_STRING_LENGTH)
        .build();
  }

  private static ObjectMapper mapper(StreamReadConstraints constraints) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(constraints)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return JsonMapper.builder(factory)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .withCoercionConfig(
            LogicalType.Textual,
            text ->
                text.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .build();
  }

  // Jackson guesses UTF-16/32 from zero bytes and skips a UTF-8 byte-order mark; Go and the JSON
  // RFC (section 8.1) do neither. Checked in fixed-size chunks so a large document costs no copy.
  private static void requireUtf8(byte[] json) {
    for (int i = 0; i < Math.min(4, json.length); i++) {
      if (json[i] == 0) {
        throw new InvalidJsonException("not UTF-8 JSON text (a zero byte in the first four)");
      }
    }
    if (json.length >= 3
        && (json[0] & 0xff) == 0xef
        && (json[1] & 0xff) == 0xbb
        && (json[2] & 0xff) == 0xbf) {
      throw new InvalidJsonException("a byte-order mark before the JSON text");
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(json);
    CharBuffer out = CharBuffer.allocate(4096);
    while (true) {
      CoderResult result = decoder.decode(in, out, true);
      if (result.isError()) {
        throw new InvalidJsonException("not UTF-8 at byte " + in.position());
      }
      if (result.isUnderflow()) {
        break;
      }
      out.clear();
    }
  }

  /**
   * Refuses an object that Go reads into a struct when two of its member names differ only in case;
   * each of {@code objects} that is not a JSON object (absent, null, another type) is skipped, as
   * the parser reports those itself.
   */
  public static void requireStructNames(JsonNode... objects) {
    for (JsonNode node : objects) {
      if (node == null || !node.isObject()) {
        continue;
      }
      Map<String, String> seen = new HashMap<>();
      for (Map.Entry<String, JsonNode> member : node.properties()) {
        String name = member.getKey();
        String earlier = seen.put(fold(name), name);
        if (earlier != null) {
          throw new InvalidJsonException(
              "member names '" + earlier + "' and '" + name + "' differ only in case");
        }
      }
    }
  }

  /** {@link #requireStructNames} of every element of {@code array}, when it is an array. */
  public static void requireStructNamesOfElements(JsonNode array) {
    if (array != null && array.isArray()) {
      for (JsonNode element : array) {
        requireStructNames(element);
      }
    }
  }

  // Simple case folding per code point, as Go's strings.EqualFold compares (the Kelvin sign folds
  // to k, the long s to s). ASCII names, nearly all of them, take the fast way.
  private static String fold(String name) {
    boolean ascii = true;
    for (int i = 0; i < name.length() && ascii; i++) {
      ascii = name.charAt(i) < 0x80;
    }
    if (ascii) {
      return name.toLowerCase(Locale.ROOT);
    }
    StringBuilder folded = new StringBuilder(name.length());
    name.codePoints()
        .map(c -> Character.toLowerCase(Character.toUpperCase(c)))
        .forEach(folded::appendCodePoint);
    return folded.toString();
  }

  private static String message(Exception e) {
    String text = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : null;
    if (text == null) {
      text = e.getMessage();
    }
    if (text == null) {
      return e.getClass().getSimpleName();
    }
    if (e instanceof JsonProcessingException jpe && jpe.getLocation() != null) {
      text += " at line " + jpe.getLocation().getLineNr();
    }
    return firstLine(text);
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    String line = nl < 0 ? text : text.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /** JSON that this reader refuses; the message says why in one line. */
  public static final class InvalidJsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidJsonException(String message) {
      super(message);
    }
  }
}
