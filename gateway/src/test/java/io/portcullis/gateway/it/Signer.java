package io.portcullis.gateway.it;

import io.portcullis.signer.SignerCli;
import io.portcullis.testkit.ConsoleRun;
import io.portcullis.testkit.RegistryProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real {@code portcullis-signer} CLI, run in this JVM, as the enforcement tests make keys and
 * sign and attest images with it. The key material of a test lives in one folder: cosign key pairs
 * {@code NAME.key} and {@code NAME.pub} sharing the password in {@code pw}, and the development PKI
 * in {@code pki/}.
 */
final class Signer {
  private Signer() {}

  /** One run, whatever its exit code. */
  static ConsoleRun run(String... args) {
    return ConsoleRun.of(
        (out, err) -> SignerCli.commandLine().setOut(out).setErr(err).execute(args));
  }

  /** One run that must succeed; its standard output. */
  static String cli(String... args) {
    ConsoleRun run = run(args);
    if (run.exitCode() != 0) {
      throw new AssertionError(
          "portcullis-signer " + String.join(" ", args) + " exited " + run.exitCode() + ": " + run);
    }
    return run.out();
  }

  /** A cosign key pair {@code NAME.key}/{@code NAME.pub} in {@code keys} for each name. */
  static void keygen(Path keys, String... names) {
    for (String name : names) {
      cli(
          "keygen",
          "--out",
          keys.resolve(name).toString(),
          "--password-file",
          keys.resolve("pw").toString());
    }
  }

  /** The development PKI in {@code keys/pki}. */
  static void devPki(Path keys) {
    cli("certs", "dev", "--out", keys.resolve("pki").toString());
  }

  /** Signs {@code repoTag} in {@code registry} the cosign way with the key pair {@code key}. */
  static void sign(Path keys, String key, RegistryProcess registry, String repoTag) {
    withKey("sign", keys, key, registry, repoTag);
  }

  /**
   * Signs {@code repoTag} in {@code registry} the notation way with the PKI's signer certificate.
   */
  static void notationSign(
      Path keys, RegistryProcess registry, String repoTag, String... moreOptions) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sign",
                "--format",
                "notation",
                "--cert",
                keys.resolve("pki/signer.crt").toString(),
                "--cert-key",
                keys.resolve("pki/signer.key").toString(),
                "--insecure-registry",
                registry.hostPort()));
    args.addAll(List.of(moreOptions));
    args.add(registry.hostPort() + "/" + repoTag);
    cli(args.toArray(String[]::new));
  }

  /**
   * Attests {@code predicate} of {@code type} for {@code repoTag} with the key pair {@code key}.
   */
  static void attest(
      Path keys,
      String key,
      RegistryProcess registry,
      String type,
      Path predicate,
      String repoTag) {
    withKey(
        "attest",
        keys,
        key,
        registry,
        repoTag,
        "--type",
        type,
        "--predicate",
        predicate.toString());
  }

  /** {@code command} with the key pair {@code key} and its password, on {@code repoTag}. */
  private static void withKey(
      String command,
      Path keys,
      String key,
      RegistryProcess registry,
      String repoTag,
      String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                command,
                "--key",
                keys.resolve(key + ".key").toString(),
                "--password-file",
                keys.resolve("pw").toString(),
                "--insecure-registry",
                registry.hostPort()));
    args.addAll(List.of(options));
    args.add(registry.hostPort() + "/" + repoTag);
    cli(args.toArray(String[]::new));
  }
}
