package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Validates the deployment sections: {@code server.tls}, {@code server.shutdownTimeout}, {@code
 * admin} and {@code logging}. TLS files are read and checked here ({@link TlsFiles}), at start-up,
 * so a wrong path, a key that does not belong to the certificate or an expired certificate stops
 * the gateway with a message naming the key instead of failing every handshake later.
 */
final class DeploymentConfigReader {
  private DeploymentConfigReader() {}

  /** The YAML shape of {@code server.tls}. */
  record TlsSection(String certFile, String keyFile, String clientCaFile, String reloadInterval) {}

  /** The YAML shape of {@code admin}. */
  record AdminSection(String host, Integer port) {}

  /** The YAML shape of {@code logging}. */
  record LoggingSection(String format) {}

  static Optional<TlsConfig> tls(TlsSection t) {
    if (t == null) {
      return Optional.empty();
    }
    String key = "server.tls";
    if (t.certFile() == null) {
      throw new ConfigException(
          key + ".certFile: is required (PEM server certificate, then its intermediates)");
    }
    if (t.keyFile() == null) {
      throw new ConfigException(key + ".keyFile: is required (PEM private key of certFile)");
    }
    Duration reload = TlsConfig.DEFAULT_RELOAD_INTERVAL;
    if (t.reloadInterval() != null) {
      reload = Durations.parse(t.reloadInterval(), key + ".reloadInterval");
      if (reload.compareTo(Duration.ofMillis(100)) < 0) {
        throw new ConfigException(key + ".reloadInterval: must be at least 100ms");
      }
    }
    TlsConfig tls =
        new TlsConfig(
            Path.of(t.certFile()),
            Path.of(t.keyFile()),
            Optional.ofNullable(t.clientCaFile()).map(Path::of),
            reload);
    TlsFiles.read(tls, Instant.now());
    return Optional.of(tls);
  }

  static Duration shutdownTimeout(String value) {
    if (value == null) {
      return ServerConfig.DEFAULT_SHUTDOWN_TIMEOUT;
    }
    Duration d = Durations.parse(value, "server.shutdownTimeout");
    if (d.compareTo(Duration.ofMinutes(10)) > 0) {
      throw new ConfigException("server.shutdownTimeout: at most 10m");
    }
    return d;
  }

  static Optional<AdminConfig> admin(AdminSection a) {
    if (a == null) {
      return Optional.empty();
    }
    int port = a.port() == null ? AdminConfig.DEFAULT_PORT : a.port();
    if (port < 0 || port > 65535) {
      throw new ConfigException("admin.port: " + port + " is not a port number (0-65535)");
    }
    return Optional.of(
        new AdminConfig(a.host() == null ? AdminConfig.DEFAULT_HOST : a.host(), port));
  }

  static LoggingConfig logging(LoggingSection l) {
    if (l == null || l.format() == null) {
      return LoggingConfig.DEFAULT;
    }
    try {
      return new LoggingConfig(LoggingConfig.Format.valueOf(l.format().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("logging.format: '" + l.format() + "' is not one of: text, json");
    }
  }
}
