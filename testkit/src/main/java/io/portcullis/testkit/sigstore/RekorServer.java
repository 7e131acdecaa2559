package io.portcullis.testkit.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.core.dsse.DsseEnvelope;
import io.portcullis.core.dsse.Pae;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.keys.Verifiers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal <a href="https://github.com/sigstore/rekor/blob/main/openapi.yaml">Rekor v1 API</a>
 * over a {@link PrivateSigstore}'s log, on a free loopback port: {@code POST /api/v1/log/entries}
 * takes a proposed {@code hashedrekord} or {@code dsse} 0.0.1 entry, checks its signature as Rekor
 * does, and answers 201 with Rekor's shape {@code {<uuid>: {body, integratedTime, logID, logIndex,
 * verification: {signedEntryTimestamp, inclusionProof: {checkpoint, hashes, logIndex, rootHash,
 * treeSize}}}}} (hashes and root in hex, as Rekor's API has them); the same entry again is 409.
 * {@code GET /api/v1/log/publicKey} answers the log key's PEM.
 */
public final class RekorServer implements AutoCloseable {
  /** Larger proposed entries are refused, as Rekor caps them too. */
  public static final int MAX_ENTRY_BYTES = 1024 * 1024;

  private static final HexFormat HEX = HexFormat.of();
  private static final Base64.Decoder B64D = Base64.getDecoder();
  private static final Base64.Encoder B64 = Base64.getEncoder();

  private final PrivateSigstore sigstore;
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final Map<String, ObjectNode> entries = new HashMap<>();
  private final AtomicInteger created = new AtomicInteger();

  private RekorServer(PrivateSigstore sigstore) throws IOException {
    this.sigstore = sigstore;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/log/entries", this::entries);
    server.createContext("/api/v1/log/publicKey", this::publicKey);
    server.setExecutor(executor);
    server.start();
  }

  /** Starts a server over {@code sigstore}'s Rekor log. */
  public static RekorServer start(PrivateSigstore sigstore) {
    try {
      return new RekorServer(sigstore);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the Rekor server", e);
    }
  }

  /** The base URL, e.g. {@code http://127.0.0.1:40123}, for {@code --rekor-url}. */
  public String url() {
    InetSocketAddress a = server.getAddress();
    return "http://" + a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  /** How many entries this server has logged. */
  public int entriesCreated() {
    return created.get();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void publicKey(HttpExchange x) throws IOException {
    try (x) {
      if (!x.getRequestMethod().equals("GET")) {
        respond(x, 405, error("method not allowed"));
        return;
      }
      byte[] pem =
          PublicKeyPem.encode(sigstore.rekor().publicKey()).getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "application/x-pem-file");
      x.sendResponseHeaders(200, pem.length);
      x.getResponseBody().write(pem);
    }
  }

  private void entries(HttpExchange x) throws IOException {
    try (x) {
      if (!x.getRequestMethod().equals("POST")
          || !x.getRequestURI().getPath().equals("/api/v1/log/entries")) {
        respond(x, 405, error("only POST /api/v1/log/entries is served"));
        return;
      }
      byte[] body = readCapped(x.getRequestBody());
      if (body == null) {
        respond(x, 413, error("entry larger than " + MAX_ENTRY_BYTES + " bytes"));
        return;
      }
      Proposed proposed;
      try {
        proposed = propose(StrictJson.readObject(body));
      } catch (RuntimeException e) {
        respond(x, 400, error(e.getMessage()));
        return;
      }
      synchronized (entries) {
        String leaf = HEX.formatHex(MerkleTree.leafHash(proposed.body));
        ObjectNode existing = entries.get(leaf);
        if (existing != null) {
          x.getResponseHeaders()
              .set("Location", "/api/v1/log/entries/" + existing.fieldNames().next());
          respond(x, 409, error("an equivalent entry already exists in the transparency log"));
          return;
        }
        LogEntry e = sigstore.rekor().append(proposed.kind, "0.0.1", proposed.body, sigstore.now());
        ObjectNode answer = answer(e);
        entries.put(leaf, answer);
        created.incrementAndGet();
        x.getResponseHeaders().set("Location", "/api/v1/log/entries/" + e.uuid());
        respond(x, 201, answer);
      }
    }
  }

  private record Proposed(String kind, byte[] body) {}

  /** Checks a proposed entry as Rekor does and returns its canonical body. */
  private static Proposed propose(JsonNode entry) {
    String kind = entry.path("kind").asText();
    if (!"0.0.1".equals(entry.path("apiVersion").asText())) {
      throw new IllegalArgumentException("apiVersion must be 0.0.1");
    }
    JsonNode spec = entry.path("spec");
    switch (kind) {
      case "hashedrekord" -> {
        if (!"sha256".equals(spec.at("/data/hash/algorithm").asText())) {
          throw new IllegalArgumentException("only sha256 hashedrekord entries are logged");
        }
        byte[] digest = HEX.parseHex(spec.at("/data/hash/value").asText());
        byte[] sig = B64D.decode(spec.at("/signature/content").asText());
        byte[] pem = B64D.decode(spec.at("/signature/publicKey/content").asText());
        if (digest.length != 32 || !prehashVerifies(key(pem), digest, sig)) {
          throw new IllegalArgumentException("signature does not verify over the digest");
        }
        return new Proposed(kind, RekorBodies.hashedRekord(digest, sig, pem));
      }
      case "dsse" -> {
        String envelopeJson = spec.at("/proposedContent/envelope").asText();
        JsonNode verifiers = spec.at("/proposedContent/verifiers");
        if (envelopeJson.isEmpty() || !verifiers.isArray() || verifiers.size() != 1) {
          throw new IllegalArgumentException("a dsse entry needs an envelope and one verifier");
        }
        byte[] envelopeBytes = envelopeJson.getBytes(StandardCharsets.UTF_8);
        DsseEnvelope envelope = DsseEnvelope.parse(envelopeBytes);
        byte[] pem = B64D.decode(verifiers.get(0).asText());
        if (envelope.signatures().size() != 1) {
          throw new IllegalArgumentException("one DSSE signature is logged");
        }
        byte[] sig = envelope.signatures().get(0).sig();
        if (!Verifiers.forPublicKey(key(pem))
            .verify(Pae.encode(envelope.payloadType(), envelope.payload()), sig)) {
          throw new IllegalArgumentException("DSSE signature does not verify");
        }
        return new Proposed(kind, RekorBodies.dsse(envelopeBytes, envelope.payload(), sig, pem));
      }
      default -> throw new IllegalArgumentException("unsupported entry kind '" + kind + "'");
    }
  }

  /** The key of a PEM public key or certificate. */
  private static PublicKey key(byte[] pem) {
    String text = new String(pem, StandardCharsets.UTF_8);
    return text.contains("BEGIN CERTIFICATE")
        ? CertificatePem.parseAll(text).get(0).getPublicKey()
        : PublicKeyPem.parse(text);
  }

  private static boolean prehashVerifies(PublicKey key, byte[] digest, byte[] sig) {
    if (!(key instanceof ECPublicKey)) {
      throw new IllegalArgumentException("hashedrekord entries are taken for ECDSA keys only");
    }
    try {
      Signature s = Signature.getInstance("NONEwithECDSA");
      s.initVerify(key);
      s.update(digest);
      return s.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static ObjectNode answer(LogEntry e) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode entry = root.putObject(e.uuid());
    entry.put("body", B64.encodeToString(e.body()));
    entry.put("integratedTime", e.integratedTime());
    entry.put("logID", HEX.formatHex(e.logId()));
    entry.put("logIndex", e.logIndex());
    ObjectNode verification = entry.putObject("verification");
    verification.put("signedEntryTimestamp", B64.encodeToString(e.signedEntryTimestamp()));
    ObjectNode proof = verification.putObject("inclusionProof");
    proof.put("checkpoint", e.proof().checkpoint());
    e.proof().hashes().forEach(h -> proof.withArrayProperty("hashes").add(HEX.formatHex(h)));
    if (e.proof().hashes().isEmpty()) {
      proof.putArray("hashes");
    }
    proof.put("logIndex", e.proof().logIndex());
    proof.put("rootHash", HEX.formatHex(e.proof().rootHash()));
    proof.put("treeSize", e.proof().treeSize());
    return root;
  }

  private static ObjectNode error(String message) {
    return JsonNodeFactory.instance.objectNode().put("code", 400).put("message", message);
  }

  private static void respond(HttpExchange x, int status, ObjectNode json) throws IOException {
    if (json.has("code")) {
      json.put("code", status);
    }
    byte[] bytes = StrictJson.write(json);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, bytes.length);
    x.getResponseBody().write(bytes);
  }

  private static byte[] readCapped(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_ENTRY_BYTES + 1);
    return bytes.length > MAX_ENTRY_BYTES ? null : bytes;
  }
}
