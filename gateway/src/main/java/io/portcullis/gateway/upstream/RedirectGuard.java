package io.portcullis.gateway.upstream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.gateway.config.RedirectConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a redirect an upstream answered with may be followed, and to which address. An
 * upstream is an outsider: a redirect is its way to make the gateway fetch any URL with the
 * gateway's network position, so a target is followed only if
 *
 * <ul>
 *   <li>it is {@code https}, or {@code http} from an {@code http} upstream (never a downgrade);
 *   <li>it is not the origin (host and effective port, by name or by address) of another configured
 *       upstream, whose private blobs would come back through this upstream's route;
 *   <li>its host is in the upstream's {@code redirects.allowHosts}, when there is one (its own
 *       origin always is);
 *   <li>every address its host resolves to is {@linkplain AddressClass#PUBLIC public}, or of a kind
 *       the upstream's own address is of (a loopback upstream may redirect to loopback).
 * </ul>
 *
 * The host is resolved once, here, and the request is sent to the address checked ({@link
 * Hop#server}), so a name cannot resolve to a public address for the check and a private one for
 * the connection (DNS rebinding). A refusal is a 502 naming the upstream, the host and why; the log
 * line carries no query string, where storage backends put signed tokens.
 *
 * <p>The addresses of the configured hosts (this upstream's and the others', to compare with) are
 * kept for {@link #KNOWN_FOR} once found, so a redirect costs one lookup, its target's, rather than
 * one per configured upstream (every blob of Docker Hub or GHCR is a redirect). A lookup that
 * failed or found nothing is not kept: it is tried again on the next redirect.
 */
final class RedirectGuard {
  private static final Logger LOG = LoggerFactory.getLogger(RedirectGuard.class);

  /**
   * A redirect target cleared to be followed: connect to {@code server}, ask for {@code target}.
   */
  record Hop(URI target, SocketAddress server, boolean ownOrigin) {}

  /** How long the addresses found for a configured host are used without a new lookup. */
  static final Duration KNOWN_FOR = Duration.ofSeconds(10);

  private final UpstreamConfig config;
  private final Function<String, Future<List<InetAddress>>> resolver;
  // Configured hosts only (a bounded set): a redirect target is looked up on every hop.
  private final Cache<String, List<InetAddress>> configured =
      Caffeine.newBuilder().expireAfterWrite(KNOWN_FOR).maximumSize(1_024).build();

  /** {@code resolver} looks a host name up off the event loop (a literal address is itself). */
  RedirectGuard(UpstreamConfig config, Function<String, Future<List<InetAddress>>> resolver) {
    this.config = config;
    this.resolver = resolver;
  }

  /** The hop to {@code target}, or a failed future with the 502 the client gets. */
  Future<Hop> check(URI target) {
    String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !(scheme.equals("http") && !config.tls())) {
      return refuse(
          target,
          scheme.equals("http")
              ? "a plain-http URL (no downgrade from https)"
              : "a URL that is not https");
    }
    if (target.getHost() == null) {
      return refuse(target, "a URL without a host name the gateway accepts");
    }
    String host = RedirectConfig.normalHost(target.getHost());
    int port = effectivePort(target);
    boolean own =
        scheme.equals(config.url().getScheme().toLowerCase(Locale.ROOT))
            && host.equals(RedirectConfig.normalHost(config.url().getHost()))
            && port == config.port();
    RedirectConfig rules = config.redirects();
    if (!own) {
      for (URI other : rules.otherUpstreams()) {
        if (host.equals(RedirectConfig.normalHost(other.getHost()))
            && port == effectivePort(other)) {
          return refuse(target, "another upstream's origin");
        }
      }
      if (!rules.allows(host)) {
        return refuse(target, "a host not in its redirects.allowHosts");
      }
    }
    Future<List<InetAddress>> targets = resolver.apply(host);
    Future<List<InetAddress>> ownAddresses = lookUp(config.url().getHost());
    List<Future<List<InetAddress>>> others = new ArrayList<>();
    if (!own) {
      rules.otherUpstreams().forEach(o -> others.add(lookUp(o.getHost())));
    }
    return targets
        .recover(
            err ->
                Future.failedFuture(
                    failure(target, "a host that cannot be resolved (" + err.getMessage() + ")")))
        .compose(
            addresses ->
                Future.join(ownAddresses, Future.join(new ArrayList<>(others)))
                    .transform(v -> decide(target, port, own, addresses, ownAddresses, others)));
  }

  private Future<Hop> decide(
      URI target,
      int port,
      boolean own,
      List<InetAddress> addresses,
      Future<List<InetAddress>> ownAddresses,
      List<Future<List<InetAddress>>> others) {
    if (addresses.isEmpty()) {
      return refuse(target, "a host without an address");
    }
    Set<AddressClass> ownClasses = EnumSet.noneOf(AddressClass.class);
    ownAddresses.result().forEach(a -> ownClasses.add(AddressClass.of(a)));
    for (InetAddress address : addresses) {
      AddressClass kind = AddressClass.of(address);
      if (kind != AddressClass.PUBLIC && !ownClasses.contains(kind)) {
        return refuse(target, kind.description());
      }
      for (int i = 0; i < others.size(); i++) {
        URI other = config.redirects().otherUpstreams().get(i);
        if (port == effectivePort(other) && others.get(i).result().contains(address)) {
          return refuse(target, "another upstream's origin");
        }
      }
    }
    InetAddress first = addresses.get(0);
    return Future.succeededFuture(
        new Hop(target, SocketAddress.inetSocketAddress(port, first.getHostAddress()), own));
  }

  /**
   * Addresses of a configured host, none when it does not resolve (it cannot be reached then); kept
   * for {@link #KNOWN_FOR} once found.
   */
  private Future<List<InetAddress>> lookUp(String host) {
    String name = RedirectConfig.normalHost(host);
    List<InetAddress> known = configured.getIfPresent(name);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    return resolver
        .apply(name)
        .onSuccess(
            found -> {
              if (!found.isEmpty()) {
                configured.put(name, List.copyOf(found));
              }
            })
        .otherwise(List.of());
  }

  private <T> Future<T> refuse(URI target, String why) {
    return Future.failedFuture(failure(target, why));
  }

  private OciException failure(URI target, String why) {
    // Never the whole URL: a storage backend's query string is a signed token, and the user-info
    // of an authority a password.
    String host = target.getHost() == null ? "a host it could not read" : target.getHost();
    LOG.warn(
        "upstream {} redirect refused: {}://{}:{}{} is {}",
        config.name(),
        target.getScheme(),
        host,
        effectivePort(target),
        target.getRawPath() == null ? "" : target.getRawPath(),
        why);
    return OciException.withStatus(
        OciErrorCode.UNAVAILABLE,
        502,
        "upstream '" + config.name() + "' redirected to " + host + ", which is " + why);
  }

  static int effectivePort(URI uri) {
    if (uri.getPort() > 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }
}
