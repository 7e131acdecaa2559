package io.portcullis.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.core.policy.PolicyException;
import io.portcullis.core.policy.TrustPolicyLoader;
import io.portcullis.core.registry.Credentials;
import io.portcullis.core.registry.CredentialsFile;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the YAML configuration and validates all of it before the gateway starts. Relative paths
 * are taken from the working directory. Every problem is a {@link ConfigException} whose message
 * names the key, e.g. {@code upstreams[1].url: 'ftp://x' is not an http(s) URL}.
 */
public final class ConfigLoader {
  /** The configuration bundled in the jar: used when no {@code --config} is given. */
  public static final String DEFAULT_RESOURCE = "/portcullis-default.yaml";

  private static final Pattern UPSTREAM_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ConfigLoader() {}

  public static GatewayConfig load(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
    }
    return parse(bytes, file.toString(), System.getenv());
  }

  public static GatewayConfig loadDefault() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("bundled default config is missing from the jar");
      }
      return parse(in.readAllBytes(), "embedded defaults", System.getenv());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read bundled default config", e);
    }
  }

  /** Parses without environment overrides. */
  public static GatewayConfig parse(byte[] yaml, String source) {
    return parse(yaml, source, Map.of());
  }

  /** Parses, then lets the variables of {@link EnvOverrides} in {@code env} replace values. */
  public static GatewayConfig parse(byte[] yaml, String source, Map<String, String> env) {
    FileConfig raw;
    try {
      JsonNode tree = YAML.readTree(yaml);
      if (tree == null || tree.isMissingNode() || tree.isNull()) {
        throw new ConfigException(source + " is empty");
      }
      if (!tree.isObject()) {
        throw new ConfigException(source + " must be a YAML mapping of sections");
      }
      EnvOverrides.apply((ObjectNode) tree, env);
      raw = YAML.treeToValue(tree, FileConfig.class);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds().stream()
              .map(Object::toString)
              .sorted()
              .collect(Collectors.joining(", "));
      throw new ConfigException(
          keyPath(e) + ": unknown key '" + e.getPropertyName() + "' (known here: " + known + ")");
    } catch (JsonMappingException e) {
      throw new ConfigException(keyPath(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          source
              + " is not valid YAML at line "
              + e.getLocation().getLineNr()
              + ": "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("cannot read " + source + ": " + e.getMessage());
    }
    if (raw == null) {
      throw new ConfigException(source + " is empty");
    }
    return validate(raw);
  }

  private static int eventLoops(Integer value) {
    if (value == null) {
      return ServerConfig.defaultEventLoops();
    }
    if (value < 1 || value > ServerConfig.MAX_EVENT_LOOPS) {
      throw new ConfigException(
          "server.eventLoops: "
              + value
              + " is not between 1 and "
              + ServerConfig.MAX_EVENT_LOOPS
              + " (leave it out for one per available processor, here "
              + ServerConfig.defaultEventLoops()
              + ")");
    }
    return value;
  }

  private static GatewayConfig validate(FileConfig raw) {
    ServerSection s =
        raw.server() == null
            ? new ServerSection(null, null, null, null, null, null, null, null, null, null, null)
            : raw.server();
    int port = s.port() == null ? 5000 : s.port();
    if (port < 0 || port > 65535) {
      throw new ConfigException("server.port: " + port + " is not a port number (0-65535)");
    }
    Optional<URI> publicUrl =
        Optional.ofNullable(s.publicUrl()).map(u -> httpUrl(u, "server.publicUrl"));
    ServerConfig server =
        new ServerConfig(
            s.host() == null ? "0.0.0.0" : s.host(),
            port,
            publicUrl,
            DeploymentConfigReader.tls(s.tls()),
            DeploymentConfigReader.shutdownTimeout(s.shutdownTimeout()),
            connectionTimeout(
                s.idleTimeout(), "server.idleTimeout", ServerConfig.DEFAULT_IDLE_TIMEOUT),
            connectionTimeout(
                s.readHeaderTimeout(),
                "server.readHeaderTimeout",
                ServerConfig.DEFAULT_READ_HEADER_TIMEOUT),
            connectionTimeout(
                s.bodyStallTimeout(),
                "server.bodyStallTimeout",
                ServerConfig.DEFAULT_BODY_STALL_TIMEOUT),
            eventLoops(s.eventLoops()),
            Boolean.TRUE.equals(s.proxyProtocol()),
            !Boolean.FALSE.equals(s.nativeTransport()));

    if (raw.upstreams() == null || raw.upstreams().isEmpty()) {
      throw new ConfigException("upstreams: at least one upstream registry is required");
    }
    List<UpstreamConfig> upstreams = new ArrayList<>();
    Map<String, String> prefixes = new HashMap<>();
    String unprefixed = unprefixed(raw);
    Map<String, Integer> names = new HashMap<>();
    for (int i = 0; i < raw.upstreams().size(); i++) {
      String key = "upstreams[" + i + "]";
      UpstreamSection u = raw.upstreams().get(i);
      if (u == null) {
        throw new ConfigException(key + ": empty entry");
      }
      if (u.name() == null || !UPSTREAM_NAME.matcher(u.name()).matches()) {
        throw new ConfigException(
            key + ".name: '" + u.name() + "' must be lowercase letters, digits and '-'");
      }
      if (names.putIfAbsent(u.name(), i) != null) {
        throw new ConfigException(
            key
                + ".name: '"
                + u.name()
                + "' is already used by upstreams["
                + names.get(u.name())
                + "]");
      }
      if (u.url() == null) {
        throw new ConfigException(key + ".url: is required");
      }
      URI url = httpUrl(u.url(), key + ".url");
      String prefix = u.prefix() == null ? "" : u.prefix();
      if (!prefix.isEmpty() && !RepositoryName.isValid(prefix)) {
        throw new ConfigException(
            key
                + ".prefix: '"
                + prefix
                + "' is not a repository path prefix (e.g. docker.io, ghcr.io, team-a)");
      }
      String previous = prefixes.putIfAbsent(prefix, u.name());
      if (previous != null) {
        throw new ConfigException(
            key + ".prefix: '" + prefix + "' is already the prefix of upstream '" + previous + "'");
      }
      Optional<Credentials> credentials =
          Optional.ofNullable(u.credentialsFile())
              .map(f -> credentials(f, key + ".credentialsFile"));
      Optional<Path> caFile = Optional.ofNullable(u.caFile()).map(f -> caFile(f, key + ".caFile"));
      Duration connect =
          u.connectTimeout() == null
              ? Duration.ofSeconds(10)
              : Durations.parse(u.connectTimeout(), key + ".connectTimeout");
      Duration read =
          u.readTimeout() == null
              ? Duration.ofSeconds(60)
              : Durations.parse(u.readTimeout(), key + ".readTimeout");
      upstreams.add(
          new UpstreamConfig(
              u.name(),
              url,
              prefix,
              credentials,
              caFile,
              Boolean.TRUE.equals(u.push()),
              connect,
              read,
              tagTtl(u.cache(), key + ".cache"),
              !prefix.isEmpty() && prefix.equals(unprefixed),
              redirects(u.redirects(), key + ".redirects")));
    }
    upstreams = withOtherUpstreams(upstreams);
    checkUnprefixed(unprefixed, prefixes);
    Path dataDir = Path.of(raw.dataDir() == null ? "data" : raw.dataDir());
    Optional<GatewayConfig.PolicyConfig> policy =
        Optional.ofNullable(raw.policy()).map(p -> policy(p, raw.sigstore(), raw.dct()));
    Optional<Path> audit =
        Optional.ofNullable(raw.audit())
            .map(
                a -> {
                  if (a.file() == null) {
                    throw new ConfigException(
                        "audit.file: is required (the JSON-lines decision log)");
                  }
                  return Path.of(a.file());
                });
    Optional<AuthConfig> auth =
        Optional.ofNullable(raw.auth()).map(a -> AuthConfigReader.read(a, dataDir));
    Optional<StateConfig> state = StateConfigReader.read(raw.state());
    checkRobotStore(auth, state);
    return new GatewayConfig(
        server,
        upstreams,
        dataDir,
        policy,
        audit,
        auth,
        DeploymentConfigReader.admin(raw.admin()),
        DeploymentConfigReader.logging(raw.logging()),
        cache(raw.cache(), dataDir),
        state);
  }

  /**
   * Robots in the shared state need one; with one, a robots file would keep robots per replica
   * while the operator believes them shared (a robot revoked on one replica working on another).
   */
  private static void checkRobotStore(Optional<AuthConfig> auth, Optional<StateConfig> state) {
    Optional<RobotsConfig> robots = auth.flatMap(AuthConfig::robots);
    if (robots.isEmpty()) {
      return;
    }
    if (robots.get().shared() && state.isEmpty()) {
      throw new ConfigException(
          "auth.robots.store: 'state' needs the state section (state.postgres) to keep them in");
    }
    if (!robots.get().shared() && state.isPresent()) {
      throw new ConfigException(
          "auth.robots.file: with state configured, robots are shared by the replicas in"
              + " PostgreSQL; write auth.robots: {store: state} instead of a file");
    }
  }

  /** {@code routing.unprefixed}, the prefix names without one are read under; null when unset. */
  private static String unprefixed(FileConfig raw) {
    if (raw.routing() == null || raw.routing().unprefixed() == null) {
      return null;
    }
    String value = raw.routing().unprefixed();
    if (value.isEmpty() || !RepositoryName.isValid(value)) {
      throw new ConfigException(
          "routing.unprefixed: '"
              + value
              + "' is not an upstream's prefix (e.g. docker.io, for docker's registry-mirrors)");
    }
    return value;
  }

  /**
   * The upstream that serves unprefixed names must exist, and must not compete with a default
   * route: both would claim {@code library/alpine}, and which one a policy scope then matches would
   * depend on the spelling.
   */
  private static void checkUnprefixed(String unprefixed, Map<String, String> prefixes) {
    if (unprefixed == null) {
      return;
    }
    if (!prefixes.containsKey(unprefixed)) {
      throw new ConfigException(
          "routing.unprefixed: no upstream has the prefix '"
              + unprefixed
              + "' (prefixes: "
              + prefixes.keySet().stream()
                  .filter(p -> !p.isEmpty())
                  .sorted()
                  .collect(Collectors.joining(", "))
              + ")");
    }
    if (prefixes.containsKey("")) {
      throw new ConfigException(
          "routing.unprefixed: upstream '"
              + prefixes.get("")
              + "' has prefix \"\" and already receives every name that matches no prefix;"
              + " remove one of the two");
    }
  }

  private static CacheConfig cache(CacheSection c, Path dataDir) {
    CacheConfig defaults = CacheConfig.defaults(dataDir);
    if (c == null) {
      return defaults;
    }
    long maxSize =
        c.maxSize() == null ? defaults.maxSize() : ByteSizes.parse(c.maxSize(), "cache.maxSize");
    long manifestMaxSize =
        c.manifestMaxSize() == null
            ? defaults.manifestMaxSize()
            : ByteSizes.parse(c.manifestMaxSize(), "cache.manifestMaxSize");
    if (manifestMaxSize < CacheConfig.MIN_MANIFEST_MAX_SIZE) {
      throw new ConfigException(
          "cache.manifestMaxSize: '"
              + c.manifestMaxSize()
              + "' is too small; it must hold at least two of the largest manifests (8MiB)");
    }
    return new CacheConfig(
        !Boolean.FALSE.equals(c.enabled()),
        c.dir() == null ? defaults.dir() : Path.of(c.dir()),
        maxSize,
        manifestMaxSize,
        !Boolean.FALSE.equals(c.directWrites()));
  }

  private static Duration tagTtl(UpstreamCacheSection c, String key) {
    if (c == null || c.tagTtl() == null) {
      return UpstreamConfig.DEFAULT_TAG_TTL;
    }
    return Durations.parse(c.tagTtl(), key + ".tagTtl");
  }

  private static GatewayConfig.PolicyConfig policy(
      PolicySection p, SigstoreSection sigstore, DctSection dct) {
    if (p.file() == null) {
      throw new ConfigException(
          "policy.file: is required (a trust policy, see trust-policies/README.md)");
    }
    Path file = Path.of(p.file());
    try {
      TrustPolicyLoader.load(file);
    } catch (PolicyException e) {
      throw new ConfigException("policy.file: " + e.getMessage());
    }
    Duration every =
        p.reloadInterval() == null
            ? Duration.ofSeconds(2)
            : Durations.parse(p.reloadInterval(), "policy.reloadInterval");
    if (every.toMillis() < 100) {
      throw new ConfigException("policy.reloadInterval: must be at least 100ms");
    }
    Duration refresh =
        sigstore == null || sigstore.refreshInterval() == null
            ? GatewayConfig.PolicyConfig.DEFAULT_SIGSTORE_REFRESH
            : Durations.parse(sigstore.refreshInterval(), "sigstore.refreshInterval");
    if (refresh.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new ConfigException("sigstore.refreshInterval: must be at least 1m");
    }
    Duration dctRefresh =
        dct == null || dct.refreshInterval() == null
            ? GatewayConfig.PolicyConfig.DEFAULT_DCT_REFRESH
            : Durations.parse(dct.refreshInterval(), "dct.refreshInterval");
    if (dctRefresh.compareTo(Duration.ofSeconds(1)) < 0
        || dctRefresh.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException("dct.refreshInterval: must be between 1s and 1h");
    }
    return new GatewayConfig.PolicyConfig(file, every, refresh, dctRefresh);
  }

  private static URI httpUrl(String value, String key) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new ConfigException(key + ": '" + value + "' is not a URL");
    }
    if (uri.getScheme() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || uri.getHost() == null) {
      throw new ConfigException(key + ": '" + value + "' is not an http(s) URL with a host");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
      throw new ConfigException(
          key
              + ": '"
              + uri.getScheme()
              + "://"
              + uri.getHost()
              + "...' must not carry a query, fragment or user info");
    }
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      throw new ConfigException(key + ": '" + value + "' must be a bare origin, without a path");
    }
    return URI.create(uri.getScheme() + "://" + uri.getRawAuthority());
  }

  private static Credentials credentials(String file, String key) {
    String text;
    try {
      text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    try {
      // The same rule as the CLI's --registry-creds-file; its message never echoes the content.
      return CredentialsFile.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + file + " " + e.getMessage());
    }
  }

  private static Path caFile(String file, String key) {
    Path path = Path.of(file);
    TlsFiles.certificates(path, key);
    return path;
  }

  private static String keyPath(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "config" : sb.toString();
  }

  /**
   * A client connection deadline: from 1s (shorter would cut off clients on a slow network) to 1h
   * (longer is no deadline against a client that holds connections open).
   */
  private static Duration connectionTimeout(String value, String key, Duration otherwise) {
    if (value == null) {
      return otherwise;
    }
    Duration d = Durations.parse(value, key);
    if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException(key + ": " + value + " is not between 1s and 1h");
    }
    return d;
  }

  record FileConfig(
      ServerSection server,
      List<UpstreamSection> upstreams,
      String dataDir,
      PolicySection policy,
      AuditSection audit,
      AuthConfigReader.AuthSection auth,
      DeploymentConfigReader.AdminSection admin,
      DeploymentConfigReader.LoggingSection logging,
      CacheSection cache,
      RoutingSection routing,
      SigstoreSection sigstore,
      StateConfigReader.StateSection state,
      DctSection dct) {}

  /** {@code refreshInterval}: how often TUF-refreshed Sigstore trusted roots are refreshed. */
  record SigstoreSection(String refreshInterval) {}

  /**
   * {@code refreshInterval}: how long verified Notary metadata answers before the server is asked
   * again, and so how long a removed DCT signature may still approve.
   */
  record DctSection(String refreshInterval) {}

  /** {@code unprefixed}: the prefix of the upstream that serves names matching no prefix. */
  record RoutingSection(String unprefixed) {}

  record CacheSection(
      Boolean enabled, String dir, String maxSize, String manifestMaxSize, Boolean directWrites) {}

  record UpstreamCacheSection(String tagTtl) {}

  record PolicySection(String file, String reloadInterval) {}

  record AuditSection(String file) {}

  record ServerSection(
      String host,
      Integer port,
      String publicUrl,
      DeploymentConfigReader.TlsSection tls,
      String shutdownTimeout,
      String idleTimeout,
      String readHeaderTimeout,
      String bodyStallTimeout,
      Integer eventLoops,
      Boolean proxyProtocol,
      Boolean nativeTransport) {}

  record UpstreamSection(
      String name,
      String url,
      String prefix,
      String credentialsFile,
      String caFile,
      Boolean push,
      String connectTimeout,
      String readTimeout,
      UpstreamCacheSection cache,
      RedirectsSection redirects) {}

  /** {@code allowHosts}: the only other hosts an upstream's redirects may lead to. */
  record RedirectsSection(List<String> allowHosts) {}

  /**
   * An allow-list entry: a host name (or IP address) without scheme, port or path, or {@code
   * *.suffix}.
   */
  private static final Pattern ALLOWED_HOST =
      Pattern.compile(
          "(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\\.?",
          Pattern.CASE_INSENSITIVE);

  private static RedirectConfig redirects(RedirectsSection section, String key) {
    if (section == null || section.allowHosts() == null) {
      return RedirectConfig.DEFAULT;
    }
    List<String> hosts = section.allowHosts();
    for (int i = 0; i < hosts.size(); i++) {
      String host = hosts.get(i);
      if (host == null || !ALLOWED_HOST.matcher(host).matches()) {
        throw new ConfigException(
            key
                + ".allowHosts["
                + i
                + "]: '"
                + host
                + "' is not a host name or *.suffix (e.g. production.cloudflare.docker.com,"
                + " *.cloudflare.docker.com)");
      }
    }
    return new RedirectConfig(Optional.of(hosts), List.of());
  }

  /** Each upstream, knowing the URLs of all the others (their redirects must not reach them). */
  private static List<UpstreamConfig> withOtherUpstreams(List<UpstreamConfig> upstreams) {
    return upstreams.stream()
        .map(
            u ->
                u.withOtherUpstreams(
                    upstreams.stream().filter(o -> o != u).map(UpstreamConfig::url).toList()))
        .toList();
  }
}
