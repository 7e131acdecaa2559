package io.portcullis.gateway.upstream;

import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upstream registry: its HTTP client (timeouts, extra CA), its authentication, and the send
 * loop that retries once after a 401 challenge and follows blob redirects (S3/CDN) without sending
 * {@code Authorization} to another host, and only where {@link RedirectGuard} allows.
 */
public final class Upstream {
  static final String USER_AGENT = "portcullis/0.1";
  private static final Logger LOG = LoggerFactory.getLogger(Upstream.class);
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_CONNECTIONS = 64;

  private final UpstreamConfig config;
  private final LoopClients http;
  private final UpstreamAuth auth;
  private final GatewayMetrics metrics;
  private final RedirectGuard redirects;

  public Upstream(Vertx vertx, UpstreamConfig config) {
    this(vertx, config, GatewayMetrics.inMemory());
  }

  /** An upstream whose exchanges are timed into {@code metrics}. */
  public Upstream(Vertx vertx, UpstreamConfig config, GatewayMetrics metrics) {
    this(vertx, config, metrics, 1);
  }

  /**
   * An upstream whose requests are sent by {@code eventLoops} event loops, each on connections of
   * its own ({@link LoopClients}): {@value #MAX_CONNECTIONS} connections in all, shared out.
   */
  public Upstream(Vertx vertx, UpstreamConfig config, GatewayMetrics metrics, int eventLoops) {
    this(vertx, config, metrics, eventLoops, host -> resolve(vertx, host));
  }

  /** An upstream whose redirect targets are looked up by {@code resolver} (tests: fixed names). */
  Upstream(
      Vertx vertx,
      UpstreamConfig config,
      GatewayMetrics metrics,
      int eventLoops,
      Function<String, Future<List<InetAddress>>> resolver) {
    this.config = config;
    this.metrics = metrics;
    HttpClientOptions options =
        new HttpClientOptions()
            .setConnectTimeout((int) config.connectTimeout().toMillis())
            .setKeepAlive(true)
            .setVerifyHost(true)
            .setDecompressionSupported(false)
            // Netty's 8 KiB default cuts a blob into eight times as many chunks, each a hash
            // update, a client write and a flush: pass-through ran at half the rate.
            .setMaxChunkSize(64 * 1024);
    config.caFile().ifPresent(f -> options.setTrustOptions(trustWithExtraCa(f)));
    this.http = new LoopClients(vertx, options, MAX_CONNECTIONS, eventLoops);
    this.auth = new UpstreamAuth(vertx, config, http);
    this.redirects = new RedirectGuard(config, resolver);
  }

  /** Every address of {@code host}, looked up on a worker thread: the JDK resolver blocks. */
  private static Future<List<InetAddress>> resolve(Vertx vertx, String host) {
    return vertx.executeBlocking(() -> List.of(InetAddress.getAllByName(host)), false);
  }

  public UpstreamConfig config() {
    return config;
  }

  /**
   * Sends a request with the right credentials. A 401 answered to a replayable request is retried
   * once with what its challenge asks for; a one-shot body is preceded by a probe of {@code /v2/}
   * so its credentials are known before the body starts to flow.
   */
  public Future<HttpClientResponse> send(UpstreamRequest request) {
    Future<Void> ready =
        request.body().replayable() || auth.knowsChallenge() ? Future.succeededFuture() : probe();
    return ready.compose(v -> attempt(request, true));
  }

  private Future<Void> probe() {
    UpstreamRequest ping =
        new UpstreamRequest(
            HttpMethod.GET,
            "/v2/",
            MultiMap.caseInsensitiveMultiMap(),
            List.of(),
            UpstreamRequest.Body.NONE);
    return exchange(ping, absolute(ping.uri()), null)
        .compose(
            resp -> {
              if (resp.statusCode() != 401
                  || !auth.learn(resp.getHeader("WWW-Authenticate"), null)) {
                auth.assumeNoChallenge();
              }
              return resp.end();
            });
  }

  private Future<HttpClientResponse> attempt(UpstreamRequest request, boolean mayRetry) {
    return auth.authorization(request.scopes())
        .compose(
            authz ->
                exchange(request, absolute(request.uri()), authz)
                    .compose(
                        resp -> {
                          if (resp.statusCode() == 401
                              && mayRetry
                              && request.body().replayable()
                              && auth.learn(resp.getHeader("WWW-Authenticate"), authz)) {
                            return resp.end().compose(v -> attempt(request, false));
                          }
                          if (isRedirect(resp.statusCode())
                              && (request.method() == HttpMethod.GET
                                  || request.method() == HttpMethod.HEAD)) {
                            return follow(request, absolute(request.uri()), resp, authz, 0);
                          }
                          return Future.succeededFuture(resp);
                        }));
  }

  private Future<HttpClientResponse> follow(
      UpstreamRequest request, String from, HttpClientResponse resp, String authz, int hops) {
    String location = resp.getHeader("Location");
    if (location == null || hops >= MAX_REDIRECTS) {
      return Future.succeededFuture(resp);
    }
    URI target;
    try {
      target = URI.create(from).resolve(location);
    } catch (IllegalArgumentException unreadable) {
      return resp.end()
          .transform(
              v ->
                  Future.failedFuture(
                      OciException.withStatus(
                          OciErrorCode.UNAVAILABLE,
                          502,
                          "upstream '" + config.name() + "' sent an unreadable redirect")));
    }
    // Each hop is checked (RedirectGuard) before anything is sent to it; the refused redirect's
    // body is drained, never passed on.
    return resp.end()
        .compose(v -> redirects.check(target))
        .compose(
            hop -> {
              // Credentials for the registry are never handed to a storage backend or CDN on
              // another host.
              String nextAuth = hop.ownOrigin() ? authz : null;
              LOG.debug("upstream {} redirects to {}", config.name(), target.getHost());
              UpstreamRequest next =
                  new UpstreamRequest(
                      request.method(),
                      target.toString(),
                      request.headers(),
                      request.scopes(),
                      UpstreamRequest.Body.NONE);
              return exchange(next, target.toString(), nextAuth, hop.server())
                  .compose(
                      r ->
                          isRedirect(r.statusCode())
                              ? follow(request, target.toString(), r, nextAuth, hops + 1)
                              : Future.succeededFuture(r));
            });
  }

  private Future<HttpClientResponse> exchange(
      UpstreamRequest request, String absoluteUri, String authz) {
    return exchange(request, absoluteUri, authz, null);
  }

  /**
   * Sends {@code request} to {@code absoluteUri}; to {@code server} when it is given (the address a
   * redirect target was checked at), else to the address its host resolves to.
   */
  private Future<HttpClientResponse> exchange(
      UpstreamRequest request, String absoluteUri, String authz, SocketAddress server) {
    boolean streamed = request.body() instanceof UpstreamRequest.Stream;
    RequestOptions options =
        new RequestOptions()
            .setMethod(request.method())
            .setAbsoluteURI(absoluteUri)
            // A streamed body's read timeout starts once it is sent (sendBody): Vert.x counts only
            // response bytes, so an upload longer than readTimeout would otherwise fail.
            .setIdleTimeout(streamed ? 0 : config.readTimeout().toMillis())
            .setFollowRedirects(false);
    if (server != null) {
      // Host header, TLS server name and certificate check still use the URL's host.
      options.setServer(server);
    }
    options.setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()));
    options.putHeader("User-Agent", USER_AGENT);
    if (authz != null) {
      options.putHeader("Authorization", authz);
    }
    long start = System.nanoTime();
    return http.current()
        .request(options)
        .compose(req -> sendBody(req, request.body(), config.readTimeout().toMillis()))
        .andThen(
            ar ->
                metrics.upstream(
                    config.name(),
                    ar.succeeded() ? ar.result().statusCode() : 0,
                    Duration.ofNanos(System.nanoTime() - start)))
        .recover(
            err ->
                Future.failedFuture(
                    err instanceof OciException || err instanceof ClientBodyBroken
                        ? err
                        : unreachable(config, config.url().toString(), err)));
  }

  private static Future<HttpClientResponse> sendBody(
      HttpClientRequest req, UpstreamRequest.Body body, long readTimeoutMs) {
    if (body instanceof UpstreamRequest.Bytes bytes) {
      return req.send(bytes.buffer());
    }
    if (body instanceof UpstreamRequest.Stream stream) {
      if (!req.headers().contains("Content-Length")) {
        req.setChunked(true);
      }
      // A client body that breaks off (the client hung up) breaks the upstream request at once:
      // ended instead, a chunked upload would look complete and a sized one would wait out the
      // read timeout. That is the client's doing, not an unreachable upstream.
      stream.stream()
          .pipe()
          .endOnFailure(false)
          .to(req)
          .onSuccess(v -> req.idleTimeout(readTimeoutMs))
          .onFailure(
              err -> {
                // Reported through the response future; unhandled, Vert.x would log it as ERROR.
                req.exceptionHandler(e -> LOG.debug("upstream request reset: {}", e.getMessage()));
                req.reset(0, new ClientBodyBroken(err));
              });
      return req.response();
    }
    return req.send();
  }

  /** The client's request body failed while it streamed upstream. */
  static final class ClientBodyBroken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ClientBodyBroken(Throwable cause) {
      super("the client's request body broke off: " + cause.getMessage(), cause, false, false);
    }
  }

  private String absolute(String uri) {
    return uri.startsWith("/") ? config.url() + uri : uri;
  }

  /**
   * Whether {@code target} is on this upstream's own origin (scheme, host and port): the only place
   * its credentials may be sent.
   */
  public boolean isOwnOrigin(URI target) {
    return target.getHost() != null
        && config.url().getScheme().equalsIgnoreCase(target.getScheme())
        && target.getHost().equalsIgnoreCase(config.url().getHost())
        && RedirectGuard.effectivePort(target) == config.port();
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  /** The error a client sees when an upstream cannot be reached or does not answer in time. */
  static OciException unreachable(UpstreamConfig config, String what, Throwable cause) {
    String reason =
        cause instanceof TimeoutException
            ? "timed out"
            : cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    LOG.warn("upstream {} unreachable ({}): {}", config.name(), what, reason);
    return OciException.of(
        OciErrorCode.UNAVAILABLE, "upstream '" + config.name() + "' is unavailable: " + reason);
  }

  /** The JDK's default trust anchors plus the certificates of an extra CA bundle. */
  private static TrustOptions trustWithExtraCa(Path caFile) {
    try {
      TrustManagerFactory defaults =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      defaults.init((KeyStore) null);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      List<Certificate> extra = new ArrayList<>();
      try (InputStream in = Files.newInputStream(caFile)) {
        extra.addAll(CertificateFactory.getInstance("X.509").generateCertificates(in));
      }
      int i = 0;
      for (var tm : defaults.getTrustManagers()) {
        if (tm instanceof javax.net.ssl.X509TrustManager x509) {
          for (var cert : x509.getAcceptedIssuers()) {
            store.setCertificateEntry("default-" + i++, cert);
          }
        }
      }
      for (Certificate cert : extra) {
        store.setCertificateEntry("extra-" + i++, cert);
      }
      TrustManagerFactory combined =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      combined.init(store);
      return TrustOptions.wrap(combined);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot load CA bundle " + caFile + ": " + e.getMessage(), e);
    }
  }

  public Future<Void> close() {
    return http.close();
  }
}
