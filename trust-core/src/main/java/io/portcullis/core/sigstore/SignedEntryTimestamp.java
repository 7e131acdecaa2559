package io.portcullis.core.sigstore;

import io.portcullis.core.cosign.RekorBundle;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.Verifiers;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A Rekor v1 SignedEntryTimestamp (the bundle's {@code inclusionPromise}, cosign's {@code
 * dev.sigstore.cosign/bundle} annotation): the log's signature over the <a
 * href="https://www.rfc-editor.org/rfc/rfc8785">RFC 8785</a> canonical JSON of {@code {body,
 * integratedTime, logID, logIndex}}. Its payload is {@link RekorBundle#signedPayload}, the legacy
 * annotation's, so the two cannot drift apart; that way round, because {@code cosign} must not
 * import {@code sigstore} (the packages would form a cycle).
 */
public final class SignedEntryTimestamp {
  private SignedEntryTimestamp() {}

  /**
   * The bytes a SET signs. The four members are a base64 string, two integers and a hex string, so
   * sorting the names and writing without spaces is all RFC 8785 asks of them.
   *
   * @param bodyBase64 the entry body in standard base64, as Rekor returns it
   * @param logIdHex the log id in lower-case hex
   */
  public static byte[] payload(
      String bodyBase64, long integratedTime, String logIdHex, long logIndex) {
    return RekorBundle.signedPayload(bodyBase64, integratedTime, logIdHex, logIndex);
  }

  /** The payload of an entry whose body is {@code body} (its raw bytes). */
  public static byte[] payload(byte[] body, long integratedTime, byte[] logId, long logIndex) {
    return payload(
        Base64.getEncoder().encodeToString(body),
        integratedTime,
        HexFormat.of().formatHex(logId),
        logIndex);
  }

  /** Whether {@code set} is {@code logKey}'s signature over {@code payload}. */
  public static boolean verifies(PublicKey logKey, byte[] payload, byte[] set) {
    try {
      return Verifiers.forPublicKey(logKey).verify(payload, set);
    } catch (KeyFormatException e) {
      return false;
    }
  }
}
