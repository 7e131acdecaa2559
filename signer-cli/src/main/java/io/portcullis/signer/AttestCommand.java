package io.portcullis.signer;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code attest}: a signed in-toto attestation in cosign's {@code .att} layout. */
@Command(
    name = "attest",
    mixinStandardHelpOptions = true,
    description = {
      "Attach a signed in-toto attestation (DSSE) to IMAGE, appended to the sha256-<hex>.att tag."
    })
final class AttestCommand implements Callable<Integer> {

  @Option(names = "--key", required = true, paramLabel = "FILE", description = "Private key.")
  Path key;

  @Option(
      names = "--type",
      required = true,
      paramLabel = "TYPE",
      description = "vuln, slsaprovenance, custom, or a predicate type URI.")
  String type;

  @Option(
      names = "--predicate",
      required = true,
      paramLabel = "FILE",
      description = "The predicate JSON.")
  Path predicate;

  @Mixin PasswordOptions password;

  @Mixin RegistryOptions registry;

  @Parameters(paramLabel = "IMAGE", description = "host[:port]/repo[:tag][@digest]")
  String image;

  @Override
  public Integer call() {
    throw new UsageException("attest is not available yet");
  }
}
