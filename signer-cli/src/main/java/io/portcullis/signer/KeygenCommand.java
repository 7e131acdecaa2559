package io.portcullis.signer;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code keygen}: a cosign-compatible encrypted ECDSA P-256 key pair. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Generate an ECDSA P-256 key pair: PREFIX.key (encrypted, cosign format) and PREFIX.pub.",
      "Refuses to overwrite existing files."
    })
final class KeygenCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "Output prefix.")
  Path prefix;

  @Mixin PasswordOptions password;

  @Override
  public Integer call() {
    throw new UsageException("keygen is not available yet");
  }
}
