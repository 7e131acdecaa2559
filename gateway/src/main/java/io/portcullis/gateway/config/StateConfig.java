package io.portcullis.gateway.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code state}: where the replicas of one gateway keep the security state they share (issue #15).
 * Absent, a gateway keeps its state in files in its data directory, as a single node.
 *
 * @param postgres the PostgreSQL database every replica connects to
 */
public record StateConfig(Postgres postgres) {

  /**
   * {@code state.postgres}. The password is read from {@code passwordFile} when connecting, never
   * kept in the configuration (so it cannot reach a log line through it) and never taken from the
   * URL.
   *
   * @param host server host name or address
   * @param port server port (5432 unless the URL names one)
   * @param database database name, from the URL's path
   * @param user login role
   * @param passwordFile file whose content (one trailing newline ignored) is the role's password
   * @param caFile PEM certificates that the server's certificate must chain to; when present the
   *     connection is TLS with the host name verified, and a server without TLS is refused
   */
  public record Postgres(
      String host,
      int port,
      String database,
      String user,
      Path passwordFile,
      Optional<Path> caFile,
      Duration connectTimeout,
      Duration queryTimeout) {
    /** How long connecting may take before a call fails (the database is down or unreachable). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);

    /** How long one statement may take, waiting for a pooled connection included. */
    public static final Duration DEFAULT_QUERY_TIMEOUT = Duration.ofSeconds(5);

    public Postgres(
        String host,
        int port,
        String database,
        String user,
        Path passwordFile,
        Optional<Path> caFile) {
      this(
          host,
          port,
          database,
          user,
          passwordFile,
          caFile,
          DEFAULT_CONNECT_TIMEOUT,
          DEFAULT_QUERY_TIMEOUT);
    }

    /**
     * The role's password, read from {@code passwordFile} now (a rotated secret is picked up by the
     * next connection); a {@link ConfigException} when the file cannot be used.
     */
    public String password() {
      return readPassword(passwordFile, StateConfigReader.PASSWORD_KEY);
    }

    @Override
    public String toString() {
      return "Postgres[" + url() + ", user=" + user + ", passwordFile=" + passwordFile + "]";
    }

    /** {@code postgresql://host:port/database}, for messages (no user, no password). */
    public String url() {
      String h = host.contains(":") ? "[" + host + "]" : host;
      return "postgresql://" + h + ":" + port + "/" + database;
    }
  }

  /** A password file longer than this is not a password (and is not read into memory). */
  static final int MAX_PASSWORD_FILE = 1024;

  /**
   * The password in {@code file}: its content without one trailing newline; it must be one
   * non-empty line. Used at config time to check the file, and by the state store when connecting.
   */
  static String readPassword(Path file, String key) {
    String text;
    try {
      if (Files.size(file) > MAX_PASSWORD_FILE) {
        throw new ConfigException(
            key + ": " + file + " is larger than " + MAX_PASSWORD_FILE + " bytes: not a password");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
    if (text.endsWith("\r\n")) {
      text = text.substring(0, text.length() - 2);
    } else if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.isEmpty()) {
      throw new ConfigException(key + ": " + file + " is empty");
    }
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      throw new ConfigException(key + ": " + file + " must hold the password on one line");
    }
    return text;
  }
}
