package io.portcullis.signer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.x509.DevPki;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A registry on loopback (JDK {@code HttpsServer} with the development PKI's TLS certificate, which
 * the CLI accepts for an {@code --insecure-registry}) that serves whatever manifests and blobs a
 * test puts in it, byte for byte, including ones a real registry refuses to store (an index over
 * the platform limit, a manifest without a config), and records every request it answers.
 */
final class FakeRegistry implements AutoCloseable {
  private static final Pattern MANIFEST = Pattern.compile("/v2/(.+)/manifests/([^/]+)");
  private static final Pattern BLOB = Pattern.compile("/v2/(.+)/blobs/([^/]+)");

  private record Stored(String mediaType, byte[] bytes) {}

  private final HttpsServer server;
  private final Map<String, Stored> manifests = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  FakeRegistry() {
    try {
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(tls()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", this::handle);
    server.start();
  }

  /**
   * TLS, because the CLI probes an insecure registry with HTTPS first and the JDK's plain server
   * would wait forever on that handshake instead of failing it.
   */
  private static SSLContext tls() {
    try {
      DevPki pki = DevPki.generate();
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = "fake".toCharArray();
      store.setKeyEntry("tls", pki.tlsKey(), password, new Certificate[] {pki.tls()});
      KeyManagerFactory keys = KeyManagerFactory.getInstance("PKIX");
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up the fake registry's TLS", e);
    }
  }

  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  /** Stores a manifest under its digest and, when {@code tag} is not null, under the tag. */
  Descriptor manifest(String repo, String tag, String mediaType, Object document) {
    byte[] bytes = document instanceof byte[] b ? b : ManifestCodec.write(document);
    Digest digest = Digest.sha256(bytes);
    manifests.put(repo + "@" + digest, new Stored(mediaType, bytes));
    if (tag != null) {
      manifests.put(repo + "@" + tag, new Stored(mediaType, bytes));
    }
    return Descriptor.of(mediaType, digest, bytes.length);
  }

  Descriptor blob(String repo, String mediaType, byte[] bytes) {
    Digest digest = Digest.sha256(bytes);
    blobs.put(repo + "@" + digest, bytes);
    return Descriptor.of(mediaType, digest, bytes.length);
  }

  /** Every request answered so far, as {@code METHOD path}, oldest first. */
  List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  /** How many requests had a method and a path matching these regular expressions fully. */
  long count(String methodRegex, String pathRegex) {
    return requests().stream().filter(r -> r.matches(methodRegex + " " + pathRegex)).count();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      requests.add(method + " " + path);
      if (path.equals("/v2/")) {
        send(exchange, 200, "application/json", "{}".getBytes(), null);
        return;
      }
      Matcher m = MANIFEST.matcher(path);
      if (m.matches()) {
        Stored found = manifests.get(m.group(1) + "@" + m.group(2));
        if (found == null) {
          send(exchange, 404, "application/json", notFound("MANIFEST_UNKNOWN"), null);
        } else {
          send(exchange, 200, found.mediaType(), found.bytes(), Digest.sha256(found.bytes()));
        }
        return;
      }
      m = BLOB.matcher(path);
      if (m.matches()) {
        byte[] found = blobs.get(m.group(1) + "@" + m.group(2));
        if (found == null) {
          send(exchange, 404, "application/json", notFound("BLOB_UNKNOWN"), null);
        } else {
          send(exchange, 200, "application/octet-stream", found, Digest.parse(m.group(2)));
        }
        return;
      }
      send(exchange, 404, "application/json", notFound("NAME_UNKNOWN"), null);
    }
  }

  private static byte[] notFound(String code) {
    return ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"not found\"}]}").getBytes();
  }

  private static void send(
      HttpExchange exchange, int status, String type, byte[] body, Digest digest)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    if (digest != null) {
      exchange.getResponseHeaders().set("Docker-Content-Digest", digest.toString());
    }
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /**
   * Writes the PEM public key of a fresh EC P-256 key pair whose private half is thrown away: a
   * trust store that no signature in these tests verifies against.
   */
  static java.nio.file.Path writeUnusedPublicKey(java.nio.file.Path file) throws Exception {
    java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("EC");
    gen.initialize(256);
    String pem =
        "-----BEGIN PUBLIC KEY-----\n"
            + java.util.Base64.getMimeEncoder(
                    64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .encodeToString(gen.generateKeyPair().getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n";
    return java.nio.file.Files.writeString(file, pem);
  }
}
