package io.portcullis.signer;

import io.portcullis.core.dct.DctVerifier;
import io.portcullis.core.dct.Gun;
import io.portcullis.core.dct.RootKeyPins;
import io.portcullis.core.dct.RootTrust;
import io.portcullis.core.registry.Credentials;
import io.portcullis.core.registry.CredentialsFile;
import io.portcullis.core.registry.ImageReference;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * The options of {@code verify --dct-server}: where the Notary v1 server is, how its root comes to
 * be trusted, and which roles count. Credentials come from a file only, never an argument; the
 * server is reached over verified TLS only.
 */
final class DctOptions {
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-fA-F]{64}");

  @Option(
      names = "--dct-server",
      paramLabel = "URL",
      description =
          "Docker Content Trust: the Notary v1 server (https) to resolve IMAGE's tag on, e.g."
              + " https://notary.docker.io.")
  URI server;

  @Option(
      names = "--dct-root-key",
      paramLabel = "FILE|KEYID",
      description =
          "Pinned root key of the GUN (repeatable): a PEM certificate or public key file, or a"
              + " 64-hex TUF or canonical key id (as 'notary key list' shows it). Default: trust"
              + " on first use, recorded under --dct-trust-dir.")
  List<String> rootKeys = new ArrayList<>();

  @Option(
      names = "--dct-ca-file",
      paramLabel = "FILE",
      description = "PEM CA certificate(s) trusted for the server's TLS, besides the system's.")
  Path caFile;

  @Option(
      names = "--dct-credentials-file",
      paramLabel = "FILE",
      description =
          "File with one line 'user:password' for the server's token service (or Basic auth).")
  Path credentialsFile;

  @Option(
      names = "--dct-roles",
      paramLabel = "ROLE",
      split = ",",
      description =
          "Roles whose signatures count, first match wins (default: targets/releases,targets, as"
              + " docker pulls).")
  List<String> roles = new ArrayList<>();

  @Option(
      names = "--dct-gun",
      paramLabel = "TEMPLATE",
      description =
          "How the GUN is named from IMAGE, as a trust store's 'gun': {host} and {repository}"
              + " (default: ${DEFAULT-VALUE}, as docker names it).",
      defaultValue = Gun.DEFAULT_TEMPLATE)
  String gunTemplate = Gun.DEFAULT_TEMPLATE;

  @Option(
      names = "--dct-trust-dir",
      paramLabel = "DIR",
      description =
          "Where trusted metadata (the first-use root, versions seen) is kept, for --dct-server"
              + " and for the dct requirements of --policy (default:"
              + " $XDG_CONFIG_HOME/portcullis/dct-trust or ~/.config/portcullis/dct-trust).")
  Path trustDir;

  @Option(
      names = "--dct-check-registry",
      description =
          "Also fetch the signed manifest from IMAGE's registry: it must be there with the signed"
              + " length; a tag that now names another digest is noted.")
  boolean checkRegistry;

  /** True when any DCT option was given (so {@code --dct-server} is required). */
  boolean given() {
    return serverGiven() || trustDir != null;
  }

  /**
   * True when a DCT option other than {@code --dct-trust-dir} was given: those belong to {@code
   * --dct-server} alone, while {@code verify --policy} reads the trust directory too.
   */
  boolean serverGiven() {
    return server != null
        || !rootKeys.isEmpty()
        || caFile != null
        || credentialsFile != null
        || !roles.isEmpty()
        || !Gun.DEFAULT_TEMPLATE.equals(gunTemplate)
        || checkRegistry;
  }

  /** The server's base URL, checked: https, no user info, no query. */
  URI server() {
    if (server == null) {
      throw new UsageException("the --dct-* options need --dct-server URL");
    }
    if (!"https".equalsIgnoreCase(server.getScheme()) || server.getHost() == null) {
      throw new UsageException(
          "--dct-server must be an https URL, e.g. https://notary.example.com");
    }
    if (server.getRawUserInfo() != null || server.getRawQuery() != null) {
      throw new UsageException(
          "--dct-server takes no user info or query; credentials go in --dct-credentials-file");
    }
    try {
      String path = server.getPath() == null ? "" : server.getPath().replaceAll("/+$", "");
      return new URI("https", null, server.getHost(), server.getPort(), path, null, null);
    } catch (URISyntaxException e) {
      throw new UsageException("--dct-server " + server + " is not a valid URL");
    }
  }

  List<String> roles() {
    if (roles.isEmpty()) {
      return DctVerifier.DOCKER_ROLES;
    }
    for (String role : roles) {
      if (!role.equals("targets") && !role.startsWith("targets/")) {
        throw new UsageException(
            "--dct-roles: '" + role + "' is not a targets role (targets or targets/NAME)");
      }
    }
    return List.copyOf(roles);
  }

  /** Pinned when {@code --dct-root-key} is given, else trust on first use. */
  RootTrust rootTrust() {
    if (rootKeys.isEmpty()) {
      return new RootTrust.FirstUse();
    }
    Set<String> ids = new HashSet<>();
    List<java.security.PublicKey> keys = new ArrayList<>();
    for (String given : rootKeys) {
      Path file = Path.of(given);
      if (!Files.exists(file) && KEY_ID.matcher(given).matches()) {
        ids.addAll(RootKeyPins.ofKeyIds(List.of(given)).keyIds());
        continue;
      }
      try {
        keys.addAll(RootKeyPins.ofPem(Files.readString(file, StandardCharsets.US_ASCII)).keys());
      } catch (IOException e) {
        throw new UsageException(
            "cannot read --dct-root-key " + given + " (a PEM file or a 64-hex key id)");
      } catch (IllegalArgumentException e) {
        throw new UsageException("--dct-root-key " + given + ": " + e.getMessage());
      }
    }
    return new RootTrust.Pinned(new RootKeyPins(ids, keys));
  }

  Optional<Credentials> credentials() {
    if (credentialsFile == null) {
      return Optional.empty();
    }
    String text;
    try {
      text = Files.readString(credentialsFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UsageException("cannot read --dct-credentials-file " + credentialsFile);
    }
    try {
      return Optional.of(CredentialsFile.parse(text));
    } catch (IllegalArgumentException e) {
      // the parser's message never repeats the file's content
      throw new UsageException("--dct-credentials-file " + credentialsFile + " " + e.getMessage());
    }
  }

  /** IMAGE's GUN: its registry and repository as docker names them, or by {@code --dct-gun}. */
  Gun gun(ImageReference ref) {
    try {
      return Gun.of(ref.repository().registry(), ref.repository().name().value(), gunTemplate);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--dct-gun: " + e.getMessage());
    }
  }

  /** The trust directory: the option, else under the user's configuration directory. */
  Path trustDir(Map<String, String> environment) {
    if (trustDir != null) {
      return trustDir;
    }
    String xdg = environment.get("XDG_CONFIG_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("portcullis").resolve("dct-trust");
  }
}
