package io.portcullis.core.sigstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.keys.Signers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link RekorClient} against a loopback server that answers as Rekor v1 does. */
class RekorClientTest {
  private HttpServer server;
  private final AtomicReference<byte[]> posted = new AtomicReference<>();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(0);
    }
  }

  private URI serve(int status, String answer) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/v1/log/entries",
        exchange -> {
          posted.set(exchange.getRequestBody().readAllBytes());
          byte[] body = answer.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  @Test
  void aDsseUploadSendsTheEnvelopeAndKeyAndReadsTheEntryBack() throws Exception {
    KeyPair keys = keyPair();
    DsseEnvelope envelope =
        DsseEnvelope.sign(
            DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
            "{}".getBytes(StandardCharsets.UTF_8),
            Signers.forPrivateKey(keys.getPrivate()),
            "");
    String body =
        Base64.getEncoder()
            .encodeToString(
                "{\"apiVersion\":\"0.0.1\",\"kind\":\"dsse\",\"spec\":{}}"
                    .getBytes(StandardCharsets.UTF_8));
    URI url =
        serve(
            201,
            "{\"24296fb2\":{\"body\":\""
                + body
                + "\",\"integratedTime\":1700000000,\"logID\":\"c0d23d6a\",\"logIndex\":42,"
                + "\"verification\":{\"signedEntryTimestamp\":\"AQID\",\"inclusionProof\":"
                + "{\"checkpoint\":\"rekor.example - 1\\n5\\nAAA=\\n\",\"hashes\":[\"0a0b\"],"
                + "\"logIndex\":7,\"rootHash\":\"ff00\",\"treeSize\":8}}}}");

    TlogEntry entry =
        new RekorClient(url, Duration.ofSeconds(5)).uploadDsse(envelope, keys.getPublic());

    JsonNode request = StrictJson.readTree(posted.get());
    assertEquals("dsse", request.path("kind").asText());
    assertEquals("0.0.1", request.path("apiVersion").asText());
    JsonNode content = request.at("/spec/proposedContent");
    assertEquals(
        DsseEnvelope.parse(content.path("envelope").asText().getBytes(StandardCharsets.UTF_8))
            .signatures()
            .get(0)
            .keyid(),
        "");
    assertEquals(
        PublicKeyPem.encode(keys.getPublic()),
        new String(
            Base64.getDecoder().decode(content.path("verifiers").get(0).asText()),
            StandardCharsets.US_ASCII));

    assertEquals(42, entry.logIndex());
    assertEquals("dsse", entry.kind());
    assertEquals("0.0.1", entry.version());
    assertEquals(1700000000L, entry.integratedTime());
    assertArrayEquals(new byte[] {(byte) 0xc0, (byte) 0xd2, 0x3d, 0x6a}, entry.logId());
    assertArrayEquals(new byte[] {1, 2, 3}, entry.signedEntryTimestamp().orElseThrow());
    InclusionProof proof = entry.inclusionProof().orElseThrow();
    assertEquals(7, proof.logIndex());
    assertEquals(8, proof.treeSize());
    assertArrayEquals(new byte[] {(byte) 0xff, 0}, proof.rootHash());
    assertArrayEquals(new byte[] {10, 11}, proof.hashes().get(0));
    assertTrue(proof.checkpoint().startsWith("rekor.example - 1\n"));
  }

  @Test
  void aRefusalOrAnUnreadableAnswerIsARekorException() throws Exception {
    KeyPair keys = keyPair();
    DsseEnvelope envelope =
        DsseEnvelope.sign(
            DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
            new byte[] {'{', '}'},
            Signers.forPrivateKey(keys.getPrivate()),
            "");
    URI refusing = serve(400, "{\"code\":400,\"message\":\"bad entry\"}");
    RekorClient.RekorException refused =
        assertThrows(
            RekorClient.RekorException.class,
            () ->
                new RekorClient(refusing, Duration.ofSeconds(5))
                    .uploadDsse(envelope, keys.getPublic()));
    assertTrue(refused.getMessage().contains("HTTP 400"), refused.getMessage());
    stop();
    URI garbled = serve(201, "{\"x\":{\"body\":\"not base64!\"}}");
    assertThrows(
        RekorClient.RekorException.class,
        () ->
            new RekorClient(garbled, Duration.ofSeconds(5)).uploadDsse(envelope, keys.getPublic()));
    stop();
    server = null;
    assertThrows(
        RekorClient.RekorException.class,
        () ->
            new RekorClient(refusing, Duration.ofSeconds(2))
                .uploadDsse(envelope, keys.getPublic()));
  }

  @Test
  void anAnswerThatStallsAfterItsHeadersTimesOut() throws Exception {
    // the request timeout ends at the headers; a log that then stops must not hang the CLI
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/api/v1/log/entries",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.sendResponseHeaders(201, 100);
          exchange.getResponseBody().write(new byte[10]);
          exchange.getResponseBody().flush();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    server.start();
    URI stalling = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    KeyPair keys = keyPair();
    DsseEnvelope envelope =
        DsseEnvelope.sign(
            DsseEnvelope.IN_TOTO_PAYLOAD_TYPE,
            new byte[] {'{', '}'},
            Signers.forPrivateKey(keys.getPrivate()),
            "");
    RekorClient client = new RekorClient(stalling, Duration.ofMillis(300));
    RekorClient.RekorException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () ->
                assertThrows(
                    RekorClient.RekorException.class,
                    () -> client.uploadDsse(envelope, keys.getPublic())));
    assertTrue(e.getMessage().contains("took longer than"), e.getMessage());
  }
}
