package io.portcullis.core.notation;

import java.util.Arrays;
import java.util.Optional;

/**
 * The envelope formats a Notary Project signature manifest's layer may name, per the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#storage">storage</a>
 * section: <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-jws.md">JWS</a>
 * and <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-envelope-cose.md">COSE_Sign1</a>.
 */
public enum EnvelopeFormat {
  JWS("application/jose+json"),
  COSE("application/cose");

  private final String mediaType;

  EnvelopeFormat(String mediaType) {
    this.mediaType = mediaType;
  }

  public String mediaType() {
    return mediaType;
  }

  public static Optional<EnvelopeFormat> fromMediaType(String mediaType) {
    return Arrays.stream(values()).filter(f -> f.mediaType.equals(mediaType)).findFirst();
  }

  /** Parses {@code bytes} as an envelope of this format. */
  public NotationEnvelope parse(byte[] bytes) {
    return switch (this) {
      case JWS -> JwsEnvelopeCodec.parse(bytes);
      case COSE -> CoseEnvelopeCodec.parse(bytes);
    };
  }
}
