package io.portcullis.testkit.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.keys.Signers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class RekorServerTest {
  private static final PrivateSigstore SIGSTORE = PrivateSigstore.builder().build();
  private static final RekorServer SERVER = RekorServer.start(SIGSTORE);
  private static final KeyPair KEY = EcKeys.generate(EcKeys.Curve.P256);
  private static final Base64.Encoder B64 = Base64.getEncoder();
  private final HttpClient http = HttpClient.newHttpClient();

  @AfterAll
  static void stop() {
    SERVER.close();
  }

  @Test
  void hashedRekordIsLoggedAndAnsweredInRekorsShape() throws Exception {
    byte[] artifact = "artifact one".getBytes(StandardCharsets.UTF_8);
    byte[] proposed = StrictJson.write(hashedRekord(artifact, KEY));
    HttpResponse<String> r = post(proposed);
    assertEquals(201, r.statusCode(), r.body());
    JsonNode answer = StrictJson.readTree(r.body());
    String uuid = answer.fieldNames().next();
    assertEquals("/api/v1/log/entries/" + uuid, r.headers().firstValue("Location").orElseThrow());
    JsonNode e = answer.get(uuid);
    byte[] body = Base64.getDecoder().decode(e.get("body").asText());
    assertArrayEquals(
        RekorBodies.hashedRekord(
            MerkleTree.sha256(artifact),
            signatureOf(e),
            PublicKeyPem.encode(KEY.getPublic()).getBytes(StandardCharsets.UTF_8)),
        body);
    assertEquals(HexFormat.of().formatHex(SIGSTORE.rekor().logId()), e.get("logID").asText());
    assertTrue(e.get("integratedTime").isIntegralNumber());
    String set =
        "{\"body\":\""
            + e.get("body").asText()
            + "\",\"integratedTime\":"
            + e.get("integratedTime").asLong()
            + ",\"logID\":\""
            + e.get("logID").asText()
            + "\",\"logIndex\":"
            + e.get("logIndex").asLong()
            + "}";
    assertTrue(
        RekorLogTest.verifies(
            SIGSTORE.rekor().publicKey(),
            set.getBytes(StandardCharsets.UTF_8),
            Base64.getDecoder().decode(e.at("/verification/signedEntryTimestamp").asText())));
    JsonNode proof = e.at("/verification/inclusionProof");
    assertEquals(64, proof.get("rootHash").asText().length(), "hex root");
    assertTrue(proof.get("checkpoint").asText().startsWith("rekor.private.test - "));
    assertTrue(proof.get("hashes").isArray());

    // the same entry again (ECDSA signatures are randomised, so a new signature is a new entry)
    assertEquals(409, post(proposed).statusCode());
  }

  @Test
  void dsseEntryIsLoggedAsDsseWithTheEnvelopesPayloadHash() throws Exception {
    byte[] payload =
        "{\"_type\":\"https://in-toto.io/Statement/v1\"}".getBytes(StandardCharsets.UTF_8);
    DsseEnvelope envelope =
        DsseEnvelope.sign(
            DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
            payload,
            Signers.forPrivateKey(KEY.getPrivate()),
            "");
    ObjectNode entry = JsonNodeFactory.instance.objectNode();
    entry.put("apiVersion", "0.0.1").put("kind", "dsse");
    ObjectNode content = entry.putObject("spec").putObject("proposedContent");
    content.put("envelope", new String(envelope.toJson(), StandardCharsets.UTF_8));
    content
        .putArray("verifiers")
        .add(
            B64.encodeToString(
                PublicKeyPem.encode(KEY.getPublic()).getBytes(StandardCharsets.UTF_8)));
    HttpResponse<String> r = post(StrictJson.write(entry));
    assertEquals(201, r.statusCode(), r.body());
    JsonNode e = StrictJson.readTree(r.body()).elements().next();
    JsonNode body = StrictJson.readTree(Base64.getDecoder().decode(e.get("body").asText()));
    assertEquals("dsse", body.get("kind").asText());
    assertEquals(
        HexFormat.of().formatHex(MerkleTree.sha256(payload)),
        body.at("/spec/payloadHash/value").asText());
  }

  @Test
  void badEntriesAre4xx() throws Exception {
    ObjectNode forged = hashedRekord("x".getBytes(StandardCharsets.UTF_8), KEY);
    ((ObjectNode) forged.at("/spec/data/hash"))
        .put("value", HexFormat.of().formatHex(MerkleTree.sha256(new byte[] {9})));
    int before = SERVER.entriesCreated();
    assertEquals(400, post(StrictJson.write(forged)).statusCode());
    assertEquals(400, post("{not json".getBytes(StandardCharsets.UTF_8)).statusCode());
    assertEquals(
        400,
        post(StrictJson.write(Map.of("apiVersion", "0.0.1", "kind", "rekord", "spec", Map.of())))
            .statusCode());
    assertEquals(413, post(new byte[RekorServer.MAX_ENTRY_BYTES + 1]).statusCode());
    assertEquals(before, SERVER.entriesCreated());
  }

  private static byte[] signatureOf(JsonNode e) {
    JsonNode body = StrictJson.readTree(Base64.getDecoder().decode(e.get("body").asText()));
    return Base64.getDecoder().decode(body.at("/spec/signature/content").asText());
  }

  private static ObjectNode hashedRekord(byte[] artifact, KeyPair key) {
    ObjectNode entry = JsonNodeFactory.instance.objectNode();
    entry.put("apiVersion", "0.0.1").put("kind", "hashedrekord");
    ObjectNode spec = entry.putObject("spec");
    spec.putObject("data")
        .putObject("hash")
        .put("algorithm", "sha256")
        .put("value", HexFormat.of().formatHex(MerkleTree.sha256(artifact)));
    ObjectNode signature = spec.putObject("signature");
    signature.put("content", B64.encodeToString(EcKeys.sign(key.getPrivate(), artifact)));
    signature
        .putObject("publicKey")
        .put(
            "content",
            B64.encodeToString(
                PublicKeyPem.encode(key.getPublic()).getBytes(StandardCharsets.UTF_8)));
    return entry;
  }

  private HttpResponse<String> post(byte[] body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(SERVER.url() + "/api/v1/log/entries"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
