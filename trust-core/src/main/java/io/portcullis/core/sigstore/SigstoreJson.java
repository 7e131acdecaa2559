package io.portcullis.core.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.keys.CertificatePem;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Field readers for the protobuf-JSON encoding Sigstore documents use: bytes are standard base64,
 * 64-bit integers are decimal strings (numbers are accepted too), times are RFC 3339. Each failure
 * names the field.
 */
final class SigstoreJson {
  private SigstoreJson() {}

  static JsonNode object(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isObject()) {
      throw new SigstoreFormatException(field + " is missing or not an object");
    }
    return n;
  }

  static String text(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || !n.isTextual()) {
      throw new SigstoreFormatException(field + " is missing or not a string");
    }
    return n.asText();
  }

  static String optionalText(JsonNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new SigstoreFormatException(field + " is not a string");
    }
    return n.asText();
  }

  static byte[] bytes(JsonNode parent, String field) {
    String s = text(parent, field);
    try {
      return Base64.getDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw new SigstoreFormatException(field + " is not base64");
    }
  }

  /** An int64 field: a decimal string or a number; absent reads as {@code absent}. */
  static long int64(JsonNode parent, String field, long absent) {
    JsonNode n = parent.get(field);
    if (n == null || n.isNull()) {
      return absent;
    }
    if (n.isIntegralNumber() && n.canConvertToLong()) {
      return n.asLong();
    }
    if (n.isTextual()) {
      try {
        return Long.parseLong(n.asText());
      } catch (NumberFormatException e) {
        // falls through
      }
    }
    throw new SigstoreFormatException(field + " is not a 64-bit integer");
  }

  static Instant time(JsonNode parent, String field) {
    String s = text(parent, field);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new SigstoreFormatException(field + " is not an RFC 3339 time: " + s);
    }
  }

  static X509Certificate certificate(JsonNode node, String where) {
    byte[] der = bytes(node, "rawBytes");
    try {
      return CertificatePem.parse(der);
    } catch (RuntimeException e) {
      throw new SigstoreFormatException(where + " is not a DER X.509 certificate");
    }
  }
}
