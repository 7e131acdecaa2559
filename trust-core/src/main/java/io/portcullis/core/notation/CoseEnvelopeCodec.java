package io.portcullis.core.notation;

import io.portcullis.core.x509.CertificateChainException;
import io.portcullis.core.x509.CertificateReader;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-cose.md">COSE_Sign1
 * signature envelope</a>: {@code 18([protected, unprotected, payload, signature])}, where the
 * signature covers {@code Sig_structure = ["Signature1", protected, h'', payload]} (<a
 * href="https://www.rfc-editor.org/rfc/rfc9052#section-4.4">RFC 9052 section 4.4</a>) built over
 * the received protected-header bytes.
 */
final class CoseEnvelopeCodec {
  private static final long TAG_COSE_SIGN1 = 18;
  private static final long TAG_EPOCH_TIME = 1;
  private static final Long LABEL_ALG = 1L;
  private static final Long LABEL_CRIT = 2L;
  private static final Long LABEL_CONTENT_TYPE = 3L;
  private static final Long LABEL_X5CHAIN = 33L;
  private static final String TIMESTAMP = "io.cncf.notary.timestampSignature";
  private static final String SIGNING_AGENT = "io.cncf.notary.signingAgent";

  private CoseEnvelopeCodec() {}

  static NotationEnvelope parse(byte[] bytes) {
    Object top = CborReader.read(bytes);
    if (!(top instanceof CborReader.Tagged tagged) || tagged.tag() != TAG_COSE_SIGN1) {
      throw new EnvelopeException("COSE envelope must be a tagged COSE_Sign1 (tag 18)");
    }
    if (!(tagged.value() instanceof List<?> parts) || parts.size() != 4) {
      throw new EnvelopeException("COSE_Sign1 must be an array of four items");
    }
    byte[] protectedBytes = bstr(parts.get(0), "protected header");
    if (!(parts.get(1) instanceof Map<?, ?> unprotected)) {
      throw new EnvelopeException("COSE unprotected header must be a map");
    }
    if (parts.get(2) == CborReader.NULL) {
      throw new EnvelopeException("COSE payload is detached, which Notary signatures never are");
    }
    byte[] payload = bstr(parts.get(2), "payload");
    byte[] signature = bstr(parts.get(3), "signature");
    if (!(CborReader.read(protectedBytes) instanceof Map<?, ?> protectedHeader)) {
      throw new EnvelopeException("COSE protected header must be a map");
    }
    SignedAttributes attributes = attributes(protectedHeader);

    // x5chain may sit in either header; Notation writes it unprotected.
    Object x5chain =
        unprotected.containsKey(LABEL_X5CHAIN)
            ? unprotected.get(LABEL_X5CHAIN)
            : protectedHeader.get(LABEL_X5CHAIN);
    List<X509Certificate> chain = new ArrayList<>();
    List<?> ders =
        x5chain instanceof List<?> list ? list : x5chain == null ? List.of() : List.of(x5chain);
    if (ders.isEmpty()) {
      throw new EnvelopeException("COSE envelope lacks the x5chain certificate chain (label 33)");
    }
    for (Object der : ders) {
      try {
        chain.add(
            CertificateReader.readDer(bstr(der, "x5chain entry"), "x5chain[" + chain.size() + "]"));
      } catch (CertificateChainException e) {
        throw new EnvelopeException(e.getMessage());
      }
    }
    Object timestamp = unprotected.get(TIMESTAMP);
    Object agent = unprotected.get(SIGNING_AGENT);
    return new NotationEnvelope(
        EnvelopeFormat.COSE,
        attributes,
        payload,
        chain,
        signature,
        sigStructure(protectedBytes, payload),
        timestamp == null ? null : bstr(timestamp, "timestamp signature"),
        agent instanceof String s ? s : null);
  }

  private static SignedAttributes attributes(Map<?, ?> header) {
    if (!(header.get(LABEL_ALG) instanceof Long alg)) {
      throw new EnvelopeException("COSE protected header lacks an integer alg (label 1)");
    }
    SignatureAlgorithm algorithm =
        SignatureAlgorithm.fromCoseId(alg)
            .orElseThrow(
                () ->
                    new EnvelopeException(
                        "unsupported COSE alg " + alg + ": use PS256/384/512 or ES256/384/512"));
    if (!(header.get(LABEL_CRIT) instanceof List<?> crit) || crit.isEmpty()) {
      throw new EnvelopeException("COSE protected header must list crit headers (label 2)");
    }
    List<String> critical = new ArrayList<>();
    for (Object c : crit) {
      if (!header.containsKey(c)) {
        throw new EnvelopeException("COSE crit entry " + c + " names no header present");
      }
      // Integer labels are kept as their number so that they show up as not understood.
      critical.add(String.valueOf(c));
    }
    if (!(header.get(LABEL_CONTENT_TYPE) instanceof String contentType)) {
      throw new EnvelopeException("COSE protected header lacks a text content type (label 3)");
    }
    if (!(header.get(SignedAttributes.SIGNING_SCHEME) instanceof String scheme)) {
      throw new EnvelopeException("COSE protected header lacks " + SignedAttributes.SIGNING_SCHEME);
    }
    return new SignedAttributes(
        algorithm,
        contentType,
        SigningScheme.fromValue(scheme)
            .orElseThrow(
                () -> new EnvelopeException("unsupported signing scheme '" + scheme + "'")),
        time(header, SignedAttributes.SIGNING_TIME),
        time(header, SignedAttributes.AUTHENTIC_SIGNING_TIME),
        time(header, SignedAttributes.EXPIRY),
        critical,
        text(header, SignedAttributes.VERIFICATION_PLUGIN),
        text(header, SignedAttributes.VERIFICATION_PLUGIN_MIN_VERSION));
  }

  /** {@code ["Signature1", protected, h'', payload]} in CBOR. */
  static byte[] sigStructure(byte[] protectedBytes, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    head(out, 4, 4);
    byte[] context = "Signature1".getBytes(StandardCharsets.US_ASCII);
    head(out, 3, context.length);
    out.writeBytes(context);
    head(out, 2, protectedBytes.length);
    out.writeBytes(protectedBytes);
    head(out, 2, 0);
    head(out, 2, payload.length);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  // The shortest-form CBOR head (RFC 8949 section 3), as deterministic encoding requires.
  private static void head(ByteArrayOutputStream out, int major, long length) {
    int type = major << 5;
    if (length < 24) {
      out.write(type | (int) length);
    } else if (length < 0x100) {
      out.write(type | 24);
      out.write((int) length);
    } else if (length < 0x10000) {
      out.write(type | 25);
      writeBigEndian(out, length, 2);
    } else if (length < 0x100000000L) {
      out.write(type | 26);
      writeBigEndian(out, length, 4);
    } else {
      out.write(type | 27);
      writeBigEndian(out, length, 8);
    }
  }

  private static void writeBigEndian(ByteArrayOutputStream out, long value, int size) {
    for (int i = size - 1; i >= 0; i--) {
      out.write((int) (value >>> (8 * i)) & 0xff);
    }
  }

  private static Instant time(Map<?, ?> header, String name) {
    Object value = header.get(name);
    if (value == null) {
      return null;
    }
    if (value instanceof CborReader.Tagged t
        && t.tag() == TAG_EPOCH_TIME
        && t.value() instanceof Long seconds) {
      if (seconds < Instant.MIN.getEpochSecond() || seconds > Instant.MAX.getEpochSecond()) {
        // Instant would throw DateTimeException, which the verifier reports as its own fault
        throw new EnvelopeException("COSE header " + name + " is out of range");
      }
      return Instant.ofEpochSecond(seconds);
    }
    throw new EnvelopeException("COSE header " + name + " must be an epoch time (tag 1, integer)");
  }

  private static String text(Map<?, ?> header, String name) {
    Object value = header.get(name);
    if (value != null && !(value instanceof String)) {
      throw new EnvelopeException("COSE header " + name + " must be a text string");
    }
    return (String) value;
  }

  private static byte[] bstr(Object value, String what) {
    if (!(value instanceof byte[] bytes)) {
      throw new EnvelopeException("COSE " + what + " must be a byte string");
    }
    return bytes;
  }
}
