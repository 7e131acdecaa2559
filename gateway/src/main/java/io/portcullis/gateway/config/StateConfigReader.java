package io.portcullis.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Validates the {@code state} section ({@link StateConfig}): the URL's form, the user, and that the
 * password and CA files can be read, so that a gateway does not start towards a database it cannot
 * log in to. Messages name the key and never quote the password file's content.
 */
final class StateConfigReader {
  private static final Pattern DATABASE = Pattern.compile("[A-Za-z_][A-Za-z0-9_$-]{0,62}");
  private static final Pattern USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$.@-]{0,62}");

  static final String PASSWORD_KEY = "state.postgres.passwordFile";

  private StateConfigReader() {}

  record StateSection(PostgresSection postgres) {}

  record PostgresSection(String url, String user, String passwordFile, String caFile) {}

  static Optional<StateConfig> read(StateSection section) {
    if (section == null) {
      return Optional.empty();
    }
    if (section.postgres() == null) {
      throw new ConfigException(
          "state.postgres: is required (url, user, passwordFile, optional caFile)");
    }
    PostgresSection p = section.postgres();
    if (p.url() == null) {
      throw new ConfigException(
          "state.postgres.url: is required (e.g. postgresql://db.example.com:5432/portcullis)");
    }
    URI url = url(p.url());
    if (p.user() == null || !USER.matcher(p.user()).matches()) {
      throw new ConfigException(
          "state.postgres.user: "
              + (p.user() == null ? "is required" : "'" + p.user() + "' is not a role name")
              + " (the login role the gateway uses, e.g. portcullis)");
    }
    if (p.passwordFile() == null) {
      throw new ConfigException(
          "state.postgres.passwordFile: is required (a file holding the role's password; the"
              + " password is never taken from the config or the URL)");
    }
    Path passwordFile = Path.of(p.passwordFile());
    StateConfig.readPassword(passwordFile, PASSWORD_KEY);
    Optional<Path> caFile =
        Optional.ofNullable(p.caFile())
            .map(
                f -> {
                  Path path = Path.of(f);
                  TlsFiles.certificates(path, "state.postgres.caFile");
                  return path;
                });
    int port = url.getPort() == -1 ? 5432 : url.getPort();
    return Optional.of(
        new StateConfig(
            new StateConfig.Postgres(
                url.getHost(), port, url.getPath().substring(1), p.user(), passwordFile, caFile)));
  }

  private static URI url(String value) {
    String key = "state.postgres.url";
    String example = " (e.g. postgresql://db.example.com:5432/portcullis)";
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new ConfigException(key + ": '" + value + "' is not a URL" + example);
    }
    if (uri.getRawUserInfo() != null) {
      // never echo it: it may hold a password
      throw new ConfigException(
          key
              + ": must not carry user info; give the role in state.postgres.user and its password"
              + " in state.postgres.passwordFile");
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new ConfigException(key + ": '" + value + "' is not a postgresql:// URL" + example);
    }
    if (uri.getHost() == null) {
      throw new ConfigException(key + ": '" + value + "' has no host" + example);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new ConfigException(
          key
              + ": '"
              + uri.getScheme()
              + "://"
              + uri.getHost()
              + "...' must not carry a query or fragment (TLS is set with state.postgres.caFile)");
    }
    String path = uri.getPath();
    if (path == null || path.length() < 2 || !DATABASE.matcher(path.substring(1)).matches()) {
      throw new ConfigException(
          key + ": '" + value + "' must end in the database name, e.g. /portcullis");
    }
    return uri;
  }
}
