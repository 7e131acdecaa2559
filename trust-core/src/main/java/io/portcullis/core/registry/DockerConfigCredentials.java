package io.portcullis.core.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from the {@code auths} section of a Docker {@code config.json} (<a
 * href="https://docs.docker.com/reference/cli/docker/#docker-cli-configuration-file-configjson-properties">Docker
 * CLI configuration file</a>): each entry's {@code auth} is base64 of {@code user:password}; older
 * files carry {@code username}/{@code password} instead. Keys may be a bare {@code host[:port]} or
 * a URL; Docker Hub's key is {@code https://index.docker.io/v1/}.
 *
 * <p>Credential helpers ({@code credsStore}, {@code credHelpers}) are not run: this client does not
 * execute external programs.
 */
public final class DockerConfigCredentials implements CredentialSource {

  private final Map<String, Credentials> byHost;

  private DockerConfigCredentials(Map<String, Credentials> byHost) {
    this.byHost = Map.copyOf(byHost);
  }

  /**
   * The config of the current user: {@code $DOCKER_CONFIG/config.json} when that directory is set,
   * else {@code ~/.docker/config.json}. A missing file means no credentials.
   */
  public static DockerConfigCredentials forCurrentUser() {
    String dir = System.getenv("DOCKER_CONFIG");
    Path base =
        dir != null && !dir.isBlank()
            ? Path.of(dir)
            : Path.of(System.getProperty("user.home"), ".docker");
    return read(base.resolve("config.json"));
  }

  /** Reads {@code file}; a missing file yields an empty source. */
  public static DockerConfigCredentials read(Path file) {
    if (!Files.isRegularFile(file)) {
      return new DockerConfigCredentials(Map.of());
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the parser's message may quote the file, which holds secrets: do not pass it on
      throw new UncheckedIOException(
          new IOException("cannot read Docker config " + file + ": not valid JSON"));
    }
    Map<String, Credentials> byHost = new HashMap<>();
    JsonNode auths = root == null ? null : root.get("auths");
    if (auths != null && auths.isObject()) {
      auths
          .properties()
          .forEach(e -> decode(e.getValue()).ifPresent(c -> byHost.put(hostOf(e.getKey()), c)));
    }
    return new DockerConfigCredentials(byHost);
  }

  @Override
  public Optional<Credentials> lookup(String registry) {
    return Optional.ofNullable(byHost.get(hostOf(registry)));
  }

  private static Optional<Credentials> decode(JsonNode entry) {
    JsonNode auth = entry.get("auth");
    if (auth != null && auth.isTextual() && !auth.asText().isEmpty()) {
      String pair;
      try {
        pair = new String(Base64.getDecoder().decode(auth.asText()), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      int colon = pair.indexOf(':');
      return colon > 0
          ? Optional.of(new Credentials(pair.substring(0, colon), pair.substring(colon + 1)))
          : Optional.empty();
    }
    JsonNode user = entry.get("username");
    JsonNode password = entry.get("password");
    if (user != null && password != null && !user.asText().isEmpty()) {
      return Optional.of(new Credentials(user.asText(), password.asText()));
    }
    return Optional.empty();
  }

  /** Reduces a config key or a registry name to the host[:port] the two are compared by. */
  static String hostOf(String key) {
    String host = key.strip();
    if (host.contains("://")) {
      host = host.substring(host.indexOf("://") + 3);
    }
    if (host.indexOf('/') >= 0) {
      host = host.substring(0, host.indexOf('/'));
    }
    host = host.toLowerCase(Locale.ROOT);
    return switch (host) {
      case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" ->
          RemoteRepository.DOCKER_HUB;
      default -> host;
    };
  }
}
