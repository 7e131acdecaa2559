package io.portcullis.core.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * The one place that talks HTTP to registries, in the manner of jib's registry endpoint caller:
 * picks the scheme and TLS settings for a host, attaches and renews authorization, follows
 * redirects itself (so a token never follows a redirect to another host, and the insecure TLS
 * context never serves a host that was not named insecure), and turns I/O failures into {@link
 * RegistryUnreachableException}. Status codes other than 401 are left to the operation classes.
 */
final class RegistryTransport {
  private static final int MAX_REDIRECTS = 5;

  /** What a request needs from the repository, as a token scope action. */
  enum Access {
    PULL("pull"),
    PUSH("pull,push");

    final String actions;

    Access(String actions) {
      this.actions = actions;
    }
  }

  /**
   * One registry request.
   *
   * @param target a path starting with {@code /v2/}, or an absolute URL the registry gave us
   * @param what how to name the operation in messages
   */
  record Call(
      RemoteRepository repository,
      Access access,
      String method,
      String target,
      Map<String, String> headers,
      BodyPublisher body,
      String what) {

    Call {
      headers = Map.copyOf(headers);
      body = body == null ? BodyPublishers.noBody() : body;
    }

    static Call get(RemoteRepository repository, String target, String what) {
      return new Call(repository, Access.PULL, "GET", target, Map.of(), null, what);
    }
  }

  private final RegistryClientConfig config;
  private final HttpClient verified;
  private final HttpClient insecure;
  private final Map<String, String> schemes = new ConcurrentHashMap<>();
  private final TokenAuthenticator authenticator;

  RegistryTransport(RegistryClientConfig config) {
    this.config = config;
    this.verified = clientBuilder(config).build();
    this.insecure = clientBuilder(config).sslContext(InsecureTls.context()).build();
    this.authenticator =
        new TokenAuthenticator(config.credentials(), this::exchange, Clock.systemUTC());
  }

  private static HttpClient.Builder clientBuilder(RegistryClientConfig config) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(config.timeout())
        .followRedirects(HttpClient.Redirect.NEVER);
  }

  /**
   * Sends {@code call}, answering one authentication challenge if the registry poses it. The caller
   * owns the returned body and must close it.
   */
  HttpResponse<InputStream> send(Call call) {
    RemoteRepository repo = call.repository();
    String endpoint = repo.endpoint();
    String scope = "repository:" + repo.name() + ":" + call.access().actions;
    URI uri = base(endpoint).resolve(call.target());
    String authorization = authenticator.cached(endpoint, scope).orElse(null);
    HttpResponse<InputStream> response = sendFollowingRedirects(call, uri, authorization);
    if (response.statusCode() != 401) {
      return response;
    }
    List<AuthChallenge> challenges =
        AuthChallenge.parseAll(String.join(", ", response.headers().allValues("WWW-Authenticate")));
    ResponseBodies.discard(response);
    String answer = authenticator.answer(challenges, repo, scope);
    if (answer.equals(authorization)) {
      // the registry refused the very header it asked for: more tries will not help
      throw new RegistryUnauthorizedException(call.what() + ": " + repo.registry() + " refused");
    }
    response = sendFollowingRedirects(call, uri, answer);
    if (response.statusCode() == 401) {
      throw ResponseBodies.failure(response, call.what() + " (credentials refused)");
    }
    return response;
  }

  /** The scheme and authority for an endpoint; probes plain HTTP only for insecure hosts. */
  URI base(String endpoint) {
    String scheme = schemes.computeIfAbsent(endpoint, this::probeScheme);
    return URI.create(scheme + "://" + endpoint + "/");
  }

  private String probeScheme(String endpoint) {
    if (!config.isInsecure(endpoint)) {
      return "https";
    }
    // like Docker with an insecure registry: HTTPS without verification first, then plain HTTP
    HttpRequest probe =
        HttpRequest.newBuilder(URI.create("https://" + endpoint + "/v2/"))
            .timeout(config.timeout())
            .GET()
            .build();
    try {
      ResponseBodies.discard(insecure.send(probe, HttpResponse.BodyHandlers.ofInputStream()));
      return "https";
    } catch (SSLException e) {
      return "http";
    } catch (IOException e) {
      throw unreachable(endpoint, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnreachableException("interrupted while contacting " + endpoint, e);
    }
  }

  private HttpResponse<InputStream> sendFollowingRedirects(
      Call call, URI uri, String authorization) {
    String method = call.method();
    BodyPublisher body = call.body();
    String authz = authorization;
    URI current = uri;
    for (int hop = 0; ; hop++) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(current).timeout(config.timeout()).method(method, body);
      Map<String, String> headers = new LinkedHashMap<>(call.headers());
      if (authz != null) {
        headers.put("Authorization", authz);
      }
      headers.forEach(request::header);
      HttpResponse<InputStream> response = exchange(request.build());
      int status = response.statusCode();
      boolean redirect = status == 301 || status == 302 || status == 303 || status == 307;
      redirect |= status == 308;
      var location = response.headers().firstValue("Location");
      if (!redirect || location.isEmpty()) {
        return response;
      }
      ResponseBodies.discard(response);
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryProtocolException(call.what() + ": too many redirects");
      }
      URI next = current.resolve(location.get());
      if (!Objects.equals(next.getAuthority(), current.getAuthority())) {
        authz = null; // storage back ends sign their own URLs; our token is not theirs to see
      }
      if (status == 303) {
        method = "GET";
        body = BodyPublishers.noBody();
      }
      current = next;
    }
  }

  /** One raw exchange on the right client for the URI's host; no auth, no redirects. */
  HttpResponse<InputStream> exchange(HttpRequest request) {
    String authority = request.uri().getAuthority();
    HttpClient client = config.isInsecure(authority) ? insecure : verified;
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(authority, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RegistryUnreachableException("interrupted while contacting " + authority, e);
    }
  }

  private RegistryUnreachableException unreachable(String host, IOException e) {
    String reason;
    if (e instanceof ConnectException) {
      reason = "connection refused or host unreachable";
    } else if (e instanceof HttpTimeoutException) {
      reason = "no answer within " + config.timeout().toSeconds() + "s";
    } else if (e instanceof SSLException) {
      reason =
          "TLS failed ("
              + e.getMessage()
              + "); for a registry you control, --insecure-registry "
              + host
              + " skips verification";
    } else {
      reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new RegistryUnreachableException("cannot reach registry " + host + ": " + reason, e);
  }
}
