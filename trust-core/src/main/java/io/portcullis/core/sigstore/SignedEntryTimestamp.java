package io.portcullis.core.sigstore;

import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.KeyFormatException;
import io.portcullis.core.keys.Verifiers;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * A Rekor v1 SignedEntryTimestamp (the bundle's {@code inclusionPromise}, cosign's {@code
 * dev.sigstore.cosign/bundle} annotation): the log's signature over the <a
 * href="https://www.rfc-editor.org/rfc/rfc8785">RFC 8785</a> canonical JSON of {@code {body,
 * integratedTime, logID, logIndex}}. The one place both the bundle and the legacy annotation verify
 * it, so the two cannot drift apart.
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
    TreeMap<String, Object> fields = new TreeMap<>();
    fields.put("body", bodyBase64);
    fields.put("integratedTime", integratedTime);
    fields.put("logID", logIdHex);
    fields.put("logIndex", logIndex);
    return StrictJson.write(fields);
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
