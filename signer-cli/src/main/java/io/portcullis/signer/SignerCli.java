package io.portcullis.signer;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code portcullis-signer}: keys, dev PKI, sign, attest, verify. */
@Command(
    name = "portcullis-signer",
    mixinStandardHelpOptions = true,
    version = "portcullis-signer 0.1.0",
    description = "Sign, attest and verify container images (cosign and Notary Project formats).")
public final class SignerCli implements Callable<Integer> {

  @Override
  public Integer call() {
    CommandLine.usage(this, System.out);
    return 2;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SignerCli()).execute(args));
  }
}
