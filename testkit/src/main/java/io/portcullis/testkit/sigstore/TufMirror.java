package io.portcullis.testkit.sigstore;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.tuf.CanonicalJson;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A one-key TUF 1.0 repository that publishes one {@code trusted_root.json} (a private Sigstore's,
 * say) over HTTP on a free loopback port, laid out as Sigstore's TUF repository is (consistent
 * snapshots: {@code 1.root.json}, {@code timestamp.json}, {@code N.snapshot.json}, {@code
 * N.targets.json}, {@code targets/<sha256>.trusted_root.json}), for tests of a trusted root
 * refreshed through TUF from a mirror. One ECDSA P-256 key holds every role; metadata expires in a
 * year. {@link #down()} makes every request fail as a network outage would look to a client.
 */
public final class TufMirror implements AutoCloseable {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String KEY_ID = "portcullis-test-key";

  private final KeyPair key;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final HttpServer server;
  private final byte[] root;
  private volatile boolean down;

  private TufMirror(byte[] trustedRoot) throws IOException {
    key = generate();
    Instant expires = Instant.now().plus(365, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    root = sign(rootMetadata(expires));
    files.put("1.root.json", root);
    String hash = sha256(trustedRoot);
    files.put("targets/" + hash + ".trusted_root.json", trustedRoot);
    ObjectNode targets = common("targets", expires);
    ObjectNode target = targets.putObject("targets").putObject("trusted_root.json");
    target.put("length", trustedRoot.length).putObject("hashes").put("sha256", hash);
    byte[] targetsFile = sign(targets);
    files.put("1.targets.json", targetsFile);
    byte[] snapshotFile = sign(meta(common("snapshot", expires), "targets.json", targetsFile));
    files.put("1.snapshot.json", snapshotFile);
    files.put(
        "timestamp.json", sign(meta(common("timestamp", expires), "snapshot.json", snapshotFile)));
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            byte[] body = down ? null : files.get(exchange.getRequestURI().getPath().substring(1));
            if (body == null) {
              exchange.sendResponseHeaders(down ? 503 : 404, -1);
              return;
            }
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
        });
    server.start();
  }

  /** Starts a repository publishing {@code trustedRoot} as its {@code trusted_root.json}. */
  public static TufMirror start(byte[] trustedRoot) throws IOException {
    return new TufMirror(trustedRoot);
  }

  /** {@code http://127.0.0.1:<port>/}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
  }

  /** The repository's {@code 1.root.json}: the TUF root a client pins. */
  public byte[] root() {
    return root.clone();
  }

  /** From now on every request is answered 503. */
  public void down() {
    down = true;
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private ObjectNode rootMetadata(Instant expires) {
    ObjectNode signed = common("root", expires).put("consistent_snapshot", true);
    ObjectNode k = signed.putObject("keys").putObject(KEY_ID);
    k.put("keytype", "ecdsa").put("scheme", "ecdsa-sha2-nistp256");
    k.putObject("keyval").put("public", PublicKeyPem.encode(key.getPublic()));
    ObjectNode roles = signed.putObject("roles");
    for (String role : new String[] {"root", "timestamp", "snapshot", "targets"}) {
      ObjectNode r = roles.putObject(role).put("threshold", 1);
      r.putArray("keyids").add(KEY_ID);
    }
    return signed;
  }

  private static ObjectNode common(String type, Instant expires) {
    return JSON.objectNode()
        .put("_type", type)
        .put("spec_version", "1.0")
        .put("version", 1)
        .put("expires", expires.toString());
  }

  private static ObjectNode meta(ObjectNode signed, String name, byte[] file) {
    ObjectNode m = signed.putObject("meta").putObject(name);
    m.put("version", 1).put("length", file.length).putObject("hashes").put("sha256", sha256(file));
    return signed;
  }

  private byte[] sign(ObjectNode signed) {
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initSign(key.getPrivate());
      ecdsa.update(CanonicalJson.INSTANCE.canonicalize(signed));
      ObjectNode document = JSON.objectNode();
      document
          .putArray("signatures")
          .addObject()
          .put("keyid", KEY_ID)
          .put("sig", HexFormat.of().formatHex(ecdsa.sign()));
      document.set("signed", signed);
      return StrictJson.write(document);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
