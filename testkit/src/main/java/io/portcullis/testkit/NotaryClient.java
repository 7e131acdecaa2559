package io.portcullis.testkit;

import io.portcullis.core.keys.CertificatePem;
import io.portcullis.core.x509.DevPki;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drives Debian's {@code notary} client against a {@link NotaryProcess}, with a trust directory
 * (keys and cached metadata) of its own. The key passphrases reach it through the environment
 * ({@code NOTARY_ROOT_PASSPHRASE}, {@code NOTARY_TARGETS_PASSPHRASE}, {@code
 * NOTARY_SNAPSHOT_PASSPHRASE}, {@code NOTARY_DELEGATION_PASSPHRASE}), never its arguments; they are
 * fixed test values, the keys being throw-away. Each call returns the {@link CommandResult}, so a
 * test can assert a refusal; {@link CommandResult#orThrow()} where success is expected.
 *
 * @see <a
 *     href="https://github.com/notaryproject/notary/blob/master/docs/command_reference.md">notary
 *     command reference</a>
 */
public final class NotaryClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Map<String, String> PASSPHRASES =
      Map.of(
          "NOTARY_ROOT_PASSPHRASE", "portcullis-test-root",
          "NOTARY_TARGETS_PASSPHRASE", "portcullis-test-targets",
          "NOTARY_SNAPSHOT_PASSPHRASE", "portcullis-test-snapshot",
          "NOTARY_DELEGATION_PASSPHRASE", "portcullis-test-delegation");

  private final NotaryProcess server;
  private final Path trustDir;
  private final ExternalCommand command;

  NotaryClient(NotaryProcess server, Path trustDir) {
    this(server, trustDir, PASSPHRASES);
  }

  private NotaryClient(NotaryProcess server, Path trustDir, Map<String, String> environment) {
    this.server = server;
    this.trustDir = trustDir;
    this.command = new ExternalCommand(trustDir, environment);
  }

  /**
   * This client, logging in to a token-protected server ({@link NotaryProcess#startWithTokenAuth})
   * as {@code user}: the credentials go in {@code NOTARY_AUTH} (base64 of {@code user:password}),
   * which the client reads instead of prompting.
   */
  public NotaryClient authenticated(String user, String password) {
    Map<String, String> environment = new java.util.HashMap<>(PASSPHRASES);
    environment.put(
        "NOTARY_AUTH",
        java.util.Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    return new NotaryClient(server, trustDir, environment);
  }

  /** Where this client keeps its keys ({@code private/}) and metadata ({@code tuf/}). */
  public Path trustDir() {
    return trustDir;
  }

  /** {@code notary init GUN}: a root key (certificate CN = GUN), targets and snapshot keys. */
  public CommandResult init(String gun) {
    return notary("init", gun);
  }

  /** {@code notary publish GUN}: signs and pushes the staged changes. */
  public CommandResult publish(String gun) {
    return notary("publish", gun);
  }

  /** {@code notary add GUN TAG FILE [--roles R]}: stages a target with the file's hashes. */
  public CommandResult add(String gun, String tag, Path file, String... roles) {
    return notary(withRoles(List.of("add", gun, tag, file.toString()), roles));
  }

  /**
   * {@code notary addhash GUN TAG SIZE --sha256 HEX [--roles R]}: stages a target by its digest and
   * size, as {@code docker trust sign} records a manifest.
   */
  public CommandResult addHash(
      String gun, String tag, long size, String sha256Hex, String... roles) {
    return notary(
        withRoles(List.of("addhash", gun, tag, Long.toString(size), "--sha256", sha256Hex), roles));
  }

  /** {@code notary remove GUN TAG [--roles R]}: stages the removal of a target. */
  public CommandResult remove(String gun, String tag, String... roles) {
    return notary(withRoles(List.of("remove", gun, tag), roles));
  }

  /**
   * {@code notary delegation add GUN ROLE CERT --all-paths}: delegates every path to the holder of
   * the certificate's key.
   */
  public CommandResult addDelegation(String gun, String role, Path certificate) {
    return notary("delegation", "add", gun, role, certificate.toString(), "--all-paths");
  }

  /**
   * Delegates {@code role} of {@code gun} (every path) to a new development signer made in {@code
   * pkiDir}, publishes the delegation, and imports the signer's key so this client signs as {@code
   * role}; the signer's public key.
   */
  public PublicKey delegateToNewSigner(String gun, String role, Path pkiDir) throws IOException {
    Files.createDirectories(pkiDir);
    DevPki signer = DevPki.generate();
    signer.writeTo(pkiDir, false);
    Path leaf = pkiDir.resolve("delegate.crt");
    Files.writeString(leaf, CertificatePem.encode(signer.signer()), StandardCharsets.US_ASCII);
    addDelegation(gun, role, leaf).orThrow();
    publish(gun).orThrow();
    importKey(pkiDir.resolve("signer.key"), role).orThrow();
    return signer.signer().getPublicKey();
  }

  /** {@code notary key import KEY --role ROLE}: a delegation's private key, to sign with. */
  public CommandResult importKey(Path privateKey, String role) {
    return notary("key", "import", privateKey.toString(), "--role", role);
  }

  /**
   * {@code notary key rotate GUN ROLE}, answering its confirmation: for {@code root}, a new root
   * key and a new root version signed by the old key and the new.
   */
  public CommandResult rotateKey(String gun, String role) {
    Path yes = trustDir.resolve("confirm.txt");
    try {
      Files.writeString(yes, "yes\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + yes, e);
    }
    return command.run(arguments(List.of("key", "rotate", gun, role)), TIMEOUT, yes);
  }

  /**
   * {@code notary delete GUN --remote}: deletes the GUN's trust data on the server too, so that
   * anyone may {@link #init} it again with keys of their own (as a compromised server would serve).
   */
  public CommandResult deleteRemote(String gun) {
    return notary("delete", gun, "--remote");
  }

  /** {@code notary list GUN}: the targets as the client verifies them. */
  public CommandResult list(String gun) {
    return notary("list", gun);
  }

  private CommandResult notary(String... args) {
    return notary(List.of(args));
  }

  private CommandResult notary(List<String> args) {
    return command.run(arguments(args), TIMEOUT);
  }

  private List<String> arguments(List<String> args) {
    List<String> all = new ArrayList<>();
    all.add("notary");
    all.add("-s");
    all.add(server.url());
    all.add("-d");
    all.add(trustDir.toString());
    all.add("--tlscacert");
    all.add(server.caCertificate().toString());
    all.addAll(args);
    return all;
  }

  private static List<String> withRoles(List<String> args, String... roles) {
    List<String> all = new ArrayList<>(args);
    if (roles.length > 0) {
      all.add("--roles");
      all.add(String.join(",", roles));
    }
    return all;
  }
}
