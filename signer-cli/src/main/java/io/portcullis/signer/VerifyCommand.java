package io.portcullis.signer;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code verify}: check cosign signatures, attestations or Notary Project signatures. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Verify IMAGE's signatures. Prints one line per signature: what was checked and the result.",
      "cosign: --key PUB [--attestation-type TYPE]; notation: --trust-store DIR [--identity ID]."
    })
final class VerifyCommand implements Callable<Integer> {

  @Option(names = "--key", paramLabel = "PUB", description = "cosign public key (PEM).")
  Path key;

  @Option(
      names = "--attestation-type",
      paramLabel = "TYPE",
      description = "Verify attestations of this type instead of signatures.")
  String attestationType;

  @Option(
      names = "--trust-store",
      paramLabel = "DIR",
      description = "Directory of trusted root certificates (PEM) for Notary Project signatures.")
  Path trustStore;

  @Option(
      names = "--identity",
      paramLabel = "ID",
      description = "Trusted identity, e.g. \"x509.subject: CN=release,O=Example\".")
  String identity;

  @Mixin RegistryOptions registry;

  @Parameters(paramLabel = "IMAGE", description = "host[:port]/repo[:tag][@digest]")
  String image;

  @Override
  public Integer call() {
    throw new UsageException("verify is not available yet");
  }
}
