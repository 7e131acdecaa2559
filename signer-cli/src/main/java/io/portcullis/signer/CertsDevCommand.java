package io.portcullis.signer;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code certs dev}: a development PKI (root, signer leaf) for Notary Project signing. */
@Command(
    name = "dev",
    mixinStandardHelpOptions = true,
    description = "Write a development PKI (root CA and signing certificate) into DIR.")
final class CertsDevCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
  Path out;

  @Override
  public Integer call() {
    throw new UsageException("certs dev is not available yet");
  }
}
