package io.portcullis.signer;

import io.portcullis.core.keys.EncryptedPrivateKeyPem;
import io.portcullis.core.keys.KeyAlgorithm;
import io.portcullis.core.keys.PublicKeyPem;
import io.portcullis.core.x509.PemFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keygen}: an ECDSA P-256 key pair as {@code cosign generate-key-pair} writes it (<a
 * href="https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md">cosign signature
 * spec</a>): the private key encrypted with scrypt and NaCl secretbox, the public key as PEM.
 */
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

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Path keyFile = Path.of(prefix + ".key");
    Path pubFile = Path.of(prefix + ".pub");
    for (Path file : new Path[] {keyFile, pubFile}) {
      if (Files.exists(file)) {
        throw new UsageException(file + " exists; refusing to overwrite it");
      }
    }
    char[] secret = password.read("Password for the new key", true);
    try {
      KeyPair pair = KeyAlgorithm.DEFAULT.generate();
      PemFiles.writeSecret(
          keyFile, EncryptedPrivateKeyPem.encrypt(pair.getPrivate(), secret), false);
      PemFiles.writePublic(pubFile, PublicKeyPem.encode(pair.getPublic()), false);
    } finally {
      Arrays.fill(secret, '\0');
    }
    spec.commandLine()
        .getOut()
        .println("wrote " + keyFile + " (private, encrypted) and " + pubFile);
    return ExitCodes.OK;
  }
}
