package io.portcullis.core.tuf;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * A {@link TufRemote} over {@link HttpClient}: one deadline for each fetch, headers, redirects,
 * authentication and body together (the request timeout ends when the headers arrive, and a mirror
 * that then trickles or stops would otherwise hold the refresh for ever; {@link BoundedBody}), at
 * most a few redirects and only to the same scheme (never from https down to http, nor to file or
 * other schemes), and bodies read only up to the cap.
 */
public final class HttpTufRemote implements TufRemote {
  /** The deadline used when none is given: the CLI and gateway must not hang on a dead mirror. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private static final int MAX_REDIRECTS = 5;

  private final URI base;
  private final Duration timeout;
  private final HttpClient client;
  private final Authorizer authorizer;

  /**
   * @param base the repository's base URL ({@code https://tuf-repo-cdn.sigstore.dev}); a trailing
   *     slash is added when missing
   */
  public HttpTufRemote(URI base, Duration timeout) {
    this(base, timeout, null);
  }

  /**
   * @param tls the TLS context for an {@code https} repository whose certificate the system trust
   *     store does not hold (a private Notary server's CA); null for the default
   */
  public HttpTufRemote(URI base, Duration timeout, SSLContext tls) {
    this(base, timeout, tls, null);
  }

  /**
   * Answers the repository's HTTP 401s: a Notary server behind a registry's token service
   * challenges with Bearer (the registry token protocol).
   */
  public interface Authorizer {
    /** A header obtained before and still valid, sent with each request to the repository. */
    Optional<String> current();

    /**
     * The Authorization header that answers the {@code WWW-Authenticate} value {@code challenge},
     * or empty when there is none to offer.
     */
    Optional<String> answer(String challenge) throws TufException;
  }

  /**
   * @param authorizer answers the repository's authentication challenges; null for none. Its
   *     headers go only to the repository's own scheme, host and port, never to a redirect's.
   */
  public HttpTufRemote(URI base, Duration timeout, SSLContext tls, Authorizer authorizer) {
    String scheme = base.getScheme();
    if (!"https".equals(scheme) && !"http".equals(scheme)) {
      throw new IllegalArgumentException("TUF repository must be an http(s) URL: " + base);
    }
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
    this.timeout = timeout;
    HttpClient.Builder builder =
        HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.client = builder.build();
    this.authorizer = authorizer;
  }

  public URI base() {
    return base;
  }

  @Override
  public Optional<byte[]> fetch(String path, long maxBytes) throws TufException {
    URI uri;
    try {
      uri = base.resolve(path);
    } catch (IllegalArgumentException e) {
      throw new TufException.Malformed(path + " is not a valid URL path");
    }
    // one deadline for the whole fetch: a server that answers each redirect or challenge just in
    // time must not multiply it
    long started = System.nanoTime();
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpResponse<InputStream> response =
          send(uri, authorization(uri, Optional.empty()), left(started));
      if (response.statusCode() == 401 && authorizer != null && sameOrigin(uri)) {
        Optional<String> answer =
            authorizer.answer(response.headers().firstValue("www-authenticate").orElse(""));
        discard(response);
        if (answer.isPresent()) {
          response = send(uri, answer, left(started));
        }
      }
      int status = response.statusCode();
      try (InputStream body = response.body()) {
        if (status == 200) {
          long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
          return Optional.of(BoundedBody.read(path, body, declared, maxBytes, left(started)));
        }
        if (status == 404) {
          return Optional.empty();
        }
        if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
          uri = redirect(uri, response);
          continue;
        }
        throw new TufException.FetchFailed(uri + " answered HTTP " + status);
      } catch (IOException e) {
        throw new TufException.FetchFailed("reading " + uri + " failed: " + e.getMessage(), e);
      }
    }
    throw new TufException.FetchFailed(path + ": more than " + MAX_REDIRECTS + " redirects");
  }

  private Optional<String> authorization(URI uri, Optional<String> fresh) {
    if (authorizer == null || !sameOrigin(uri)) {
      return Optional.empty();
    }
    return fresh.isPresent() ? fresh : authorizer.current();
  }

  private boolean sameOrigin(URI uri) {
    return uri.getScheme().equals(base.getScheme())
        && uri.getHost() != null
        && uri.getHost().equalsIgnoreCase(base.getHost())
        && uri.getPort() == base.getPort();
  }

  private static void discard(HttpResponse<InputStream> response) {
    try (InputStream body = response.body()) {
      body.skip(64 * 1024);
    } catch (IOException e) {
      // the connection is dropped instead of reused: nothing lost
    }
  }

  private HttpResponse<InputStream> send(URI uri, Optional<String> authorization, Duration within)
      throws TufException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(within).GET();
    authorization.ifPresent(header -> request.header("Authorization", header));
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new TufException.FetchFailed("fetching " + uri + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TufException.FetchFailed("interrupted while fetching " + uri, e);
    }
  }

  private static URI redirect(URI from, HttpResponse<?> response) throws TufException {
    String location =
        response
            .headers()
            .firstValue("location")
            .orElseThrow(() -> new TufException.FetchFailed(from + " redirected without Location"));
    URI to;
    try {
      to = from.resolve(location);
    } catch (IllegalArgumentException e) {
      throw new TufException.FetchFailed(from + " redirected to an invalid URL", e);
    }
    if (!from.getScheme().equals(to.getScheme())) {
      throw new TufException.FetchFailed(from + " redirected to another scheme: " + to);
    }
    return to;
  }

  /** What is left of {@code timeout} from {@code started} ({@link System#nanoTime()}). */
  private Duration left(long started) throws TufException {
    Duration left = timeout.minusNanos(System.nanoTime() - started);
    if (left.isNegative() || left.isZero()) {
      throw new TufException.FetchFailed(
          base + ": no answer within " + timeout + " (redirects and authentication included)");
    }
    return left;
  }
}
