package io.portcullis.signer;

import io.portcullis.core.x509.DevPki;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code certs dev}: a development PKI whose signing certificate meets the <a
 * href="https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#certificate-requirements">Notary
 * Project certificate requirements</a>. Not for production: keys are unencrypted on disk.
 */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = {
      "Write a development PKI into DIR: root.crt, intermediate.crt, signer.crt, signer.key,",
      "tls.crt, tls.key. Refuses to overwrite unless --force."
    })
final class CertsDevCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Option(names = "--force", description = "Replace an existing development PKI in DIR.")
  boolean force;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    try {
      for (Path file : DevPki.generate().writeTo(out, force)) {
        spec.commandLine().getOut().println("wrote " + file);
      }
    } catch (FileAlreadyExistsException e) {
      throw new UsageException(
          out + " already holds a development PKI; pass --force to replace it");
    }
    return ExitCodes.OK;
  }
}
