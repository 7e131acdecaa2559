package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SelfSignedCertificate;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A redirect is sent to the address its guard checked, not looked up again: a name only the guard's
 * resolver knows is reached at the address it gave, with that name as Host, so DNS cannot answer
 * one address for the check and another for the connection. TLS still names and verifies the URL's
 * host: a registry at {@code https://localhost} redirecting to a CDN at {@code
 * https://localhost:<other port>} is followed, and a redirect to {@code https://127.0.0.1:<port>},
 * whose certificate names only {@code localhost}, fails its host name check.
 */
class UpstreamRedirectHopTest {
  private static final String BLOB_PATH = "/v2/team/app/blobs/sha256:" + "a".repeat(64);

  private final Vertx vertx = Vertx.vertx();
  private final SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
  private final Queue<String> atCdn = new ConcurrentLinkedQueue<>();

  @AfterEach
  void close() {
    vertx.close().await();
    cert.delete();
  }

  @Test
  void aRedirectGoesToTheAddressTheGuardChecked() throws Exception {
    int cdn = listen(new HttpServerOptions(), this::cdnAnswer);
    int registry = listen(new HttpServerOptions(), redirectTo("http://cdn.rebind.test:" + cdn));
    Map<String, List<InetAddress>> names =
        Map.of(
            "127.0.0.1", List.of(InetAddress.getLoopbackAddress()),
            "cdn.rebind.test", List.of(InetAddress.getLoopbackAddress()));
    Upstream upstream =
        new Upstream(
            vertx,
            config("http://127.0.0.1:" + registry, Optional.empty()),
            GatewayMetrics.inMemory(),
            1,
            host ->
                names.containsKey(host)
                    ? Future.succeededFuture(names.get(host))
                    : Future.failedFuture(new UnknownHostException(host)));
    // No DNS server knows cdn.rebind.test: only the checked address can have been connected to.
    assertEquals("200 cdn-bytes", fetch(upstream));
    assertEquals(List.of("cdn.rebind.test:" + cdn + " false"), List.copyOf(atCdn));
  }

  @Test
  void aTlsRedirectIsVerifiedAgainstTheUrlsHostName() throws Exception {
    int cdn = listen(tls(), this::cdnAnswer);
    assertEquals("200 cdn-bytes", fetch(tlsRegistryRedirectingTo("https://localhost:" + cdn)));
    // The certificate names only localhost: checked against 127.0.0.1, the address connected to,
    // the handshake would have failed (as in the next test).
    assertEquals(List.of("localhost:" + cdn + " false"), List.copyOf(atCdn));
  }

  @Test
  void aCertificateThatDoesNotNameTheUrlsHostFails() {
    int cdn = listen(tls(), this::cdnAnswer);
    Upstream upstream = tlsRegistryRedirectingTo("https://127.0.0.1:" + cdn);
    Exception e = assertThrows(Exception.class, () -> fetch(upstream));
    assertTrue(e.getMessage().contains("unavailable"), e.getMessage());
    assertTrue(atCdn.isEmpty(), "no request reached the CDN: " + atCdn);
  }

  private Upstream tlsRegistryRedirectingTo(String cdnBase) {
    int registry = listen(tls(), redirectTo(cdnBase));
    return new Upstream(
        vertx,
        config("https://localhost:" + registry, Optional.of(Path.of(cert.certificatePath()))));
  }

  private HttpServerOptions tls() {
    return new HttpServerOptions().setSsl(true).setKeyCertOptions(cert.keyCertOptions());
  }

  private int listen(HttpServerOptions options, io.vertx.core.Handler<HttpServerRequest> handler) {
    HttpServer server =
        vertx.createHttpServer(options).requestHandler(handler).listen(0, "127.0.0.1").await();
    return server.actualPort();
  }

  private static io.vertx.core.Handler<HttpServerRequest> redirectTo(String base) {
    return req ->
        req.response()
            .setStatusCode(307)
            .putHeader("Location", base + req.path() + "?sig=s3cr3t")
            .end();
  }

  private void cdnAnswer(HttpServerRequest req) {
    atCdn.add(req.authority() + " " + req.headers().contains("Authorization"));
    req.response().end("cdn-bytes");
  }

  private static String fetch(Upstream upstream) throws Exception {
    // The body is read in the same callback: Vert.x does not keep it for a reader that comes later.
    return upstream
        .send(
            new UpstreamRequest(
                HttpMethod.GET,
                BLOB_PATH,
                MultiMap.caseInsensitiveMultiMap(),
                List.of(),
                UpstreamRequest.Body.NONE))
        .compose(r -> r.body().map(b -> r.statusCode() + " " + b))
        .await(10, TimeUnit.SECONDS);
  }

  private static UpstreamConfig config(String url, Optional<Path> caFile) {
    return new UpstreamConfig(
        "registry",
        URI.create(url),
        "",
        Optional.empty(),
        caFile,
        false,
        Duration.ofSeconds(5),
        Duration.ofSeconds(5),
        Duration.ZERO,
        false);
  }
}
