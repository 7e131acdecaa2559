package io.portcullis.core.tuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HexFormat;

/**
 * Key ids as Notary v1 computes them ({@code data.TUFKey.ID()}): the hex SHA-256 of the canonical
 * JSON of {@code {"keytype":T,"keyval":{"private":null,"public":P}}}, where {@code P} is the base64
 * of the public key as the key type writes it (for {@code ecdsa-x509} and {@code rsa-x509}, the PEM
 * certificate). Members other than these two are not part of the id.
 */
public final class KeyIds {
  private KeyIds() {}

  /** The id Notary gives the key object {@code key} (as found under {@code keys}). */
  public static String notary(JsonNode key) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode keyval = json.objectNode();
    JsonNode value = key.path("keyval");
    keyval.set(
        "private", value.path("private").isTextual() ? value.get("private") : json.nullNode());
    keyval.set("public", value.path("public").isTextual() ? value.get("public") : json.nullNode());
    ObjectNode object = json.objectNode();
    object.set("keytype", key.path("keytype").isTextual() ? key.get("keytype") : json.nullNode());
    object.set("keyval", keyval);
    return id(object);
  }

  /**
   * The id of a key of type {@code keytype} whose {@code keyval.public} is {@code publicBase64}.
   */
  public static String notary(String keytype, String publicBase64) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode keyval = json.objectNode();
    keyval.set("private", json.nullNode());
    keyval.put("public", publicBase64);
    ObjectNode object = json.objectNode();
    object.put("keytype", keytype);
    object.set("keyval", keyval);
    return id(object);
  }

  private static String id(ObjectNode key) {
    return HexFormat.of()
        .formatHex(Hashes.digest("SHA-256", CanonicalJson.NOTARY.canonicalize(key)));
  }
}
