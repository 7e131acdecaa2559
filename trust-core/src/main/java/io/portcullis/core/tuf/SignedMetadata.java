package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.json.StrictJson;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * One metadata file as read (<a
 * href="https://theupdateframework.github.io/specification/latest/#file-formats-general-principles">spec
 * 4.2</a>): the {@code signed} value with its common fields, the signatures over it, and the
 * canonical bytes those signatures cover. Fields it does not know are kept in {@link #signed()},
 * and so are covered by the signature check, as the specification requires.
 *
 * @param file the name it was fetched or stored under, for messages
 * @param raw the exact bytes read, which are what gets stored
 * @param format the conventions it was read under, which say how its signatures are encoded
 */
public record SignedMetadata(
    String file,
    String type,
    long version,
    Instant expires,
    JsonNode signed,
    List<Signature> signatures,
    byte[] canonical,
    byte[] raw,
    TufFormat format) {

  /**
   * One entry of {@code signatures}; {@code sig} is hex (TUF) or base64 (Notary) and may be
   * anything a mirror wrote; {@code method} is Notary's signature method, empty when absent.
   */
  public record Signature(String keyId, String sig, String method) {}

  public SignedMetadata {
    signatures = List.copyOf(signatures);
  }

  /**
   * Parses {@code raw} as metadata of the kind {@code kind} ({@code root}, {@code targets}, ...),
   * whose {@code _type} the format spells.
   */
  public static SignedMetadata parse(String file, byte[] raw, String kind, TufFormat format)
      throws TufException.Malformed {
    String expectedType = format.typeName(kind);
    JsonNode document;
    try {
      document = StrictJson.readObject(raw);
    } catch (IllegalArgumentException e) {
      throw new TufException.Malformed(file + " is not valid JSON: " + e.getMessage());
    }
    JsonNode signed = document.get("signed");
    JsonNode sigs = document.get("signatures");
    if (signed == null || !signed.isObject() || sigs == null || !sigs.isArray()) {
      throw new TufException.Malformed(file + " lacks a 'signed' object or 'signatures' array");
    }
    String type = text(file, signed, "_type");
    if (!expectedType.equals(type)) {
      throw new TufException.Malformed(
          file + " has _type '" + type + "', expected " + expectedType);
    }
    String spec = signed.path("spec_version").asText("1");
    if (!spec.equals("1") && !spec.startsWith("1.")) {
      throw new TufException.Malformed(file + " has unsupported spec_version " + spec);
    }
    long version = positive(file, signed, "version");
    Instant expires = time(file, text(file, signed, "expires"));
    List<Signature> signatures = new ArrayList<>();
    for (JsonNode sig : sigs) {
      JsonNode method = sig.get("method");
      signatures.add(
          new Signature(
              text(file, sig, "keyid"),
              text(file, sig, "sig"),
              method != null && method.isTextual() ? method.textValue() : ""));
    }
    byte[] canonical;
    try {
      canonical = format.canonicalizer().canonicalize(signed);
    } catch (IllegalArgumentException e) {
      throw new TufException.Malformed(file + ": " + e.getMessage());
    }
    return new SignedMetadata(
        file, type, version, expires, signed, signatures, canonical, raw.clone(), format);
  }

  /** A required string member. */
  static String text(String file, JsonNode object, String name) throws TufException.Malformed {
    JsonNode value = object.get(name);
    if (value == null || !value.isTextual()) {
      throw new TufException.Malformed(file + ": '" + name + "' must be a string");
    }
    return value.textValue();
  }

  /** A required integer member of at least 1 (versions) or 0 (lengths, with {@code min}). */
  static long integer(String file, JsonNode object, String name, long min)
      throws TufException.Malformed {
    JsonNode value = object.get(name);
    if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
      throw new TufException.Malformed(file + ": '" + name + "' must be an integer");
    }
    long n = value.longValue();
    if (n < min) {
      throw new TufException.Malformed(file + ": '" + name + "' must be at least " + min);
    }
    return n;
  }

  static long positive(String file, JsonNode object, String name) throws TufException.Malformed {
    return integer(file, object, name, 1);
  }

  private static Instant time(String file, String value) throws TufException.Malformed {
    try {
      // the spec says "YYYY-MM-DDTHH:MM:SSZ"; early go-tuf roots carry fractions and offsets
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new TufException.Malformed(file + ": expires '" + value + "' is not a date-time");
    }
  }
}
