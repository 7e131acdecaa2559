package io.portcullis.signer;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sign}: a cosign or Notary Project signature on an image's manifest digest. */
@Command(
    name = "sign",
    mixinStandardHelpOptions = true,
    description = {
      "Sign IMAGE. A tag is resolved to its digest first; the digest is what gets signed.",
      "cosign (default): --key FILE [--password-file FILE]; appended to the sha256-<hex>.sig tag.",
      "notation: --cert FILE --cert-key FILE; pushed as a referrer of the image."
    })
final class SignCommand implements Callable<Integer> {

  /** The signature formats this command writes. */
  enum Format {
    cosign,
    notation
  }

  @Option(
      names = "--format",
      defaultValue = "cosign",
      description = "cosign or notation (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = "--key", paramLabel = "FILE", description = "cosign private key (encrypted).")
  Path key;

  @Option(names = "--cert", paramLabel = "FILE", description = "Signing certificate chain (PEM).")
  Path cert;

  @Option(names = "--cert-key", paramLabel = "FILE", description = "Its private key (PEM).")
  Path certKey;

  @Mixin PasswordOptions password;

  @Mixin RegistryOptions registry;

  @Parameters(paramLabel = "IMAGE", description = "host[:port]/repo[:tag][@digest]")
  String image;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    throw new UsageException("sign is not available yet");
  }
}
