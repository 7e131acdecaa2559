package io.portcullis.gateway;

import io.portcullis.gateway.auth.TokenKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis-gateway token-key FILE}: writes a new ES256 token signing key (PEM, mode 0600)
 * for {@code auth.tokenKeyFile}, to be mounted as a secret into every replica, and prints its
 * {@code kid}. It never overwrites: replacing the key invalidates every token signed with the old
 * one, so rotation is a deliberate delete first. Exit codes: 0 written, 1 the file exists, 3 it
 * cannot be written.
 */
@Command(
    name = "token-key",
    mixinStandardHelpOptions = true,
    description = "Write a new ES256 token signing key (PEM, mode 0600) and print its kid.")
public final class TokenKeyCommand implements Callable<Integer> {
  static final int EXISTS = 1;
  static final int FILE_ERROR = 3;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "Where to write the key; must not exist.")
  Path file;

  @Override
  public Integer call() {
    if (Files.exists(file)) {
      spec.commandLine()
          .getErr()
          .println(
              "token-key: "
                  + file
                  + " exists; a new key invalidates every token signed with it, delete it first"
                  + " to rotate");
      return EXISTS;
    }
    try {
      TokenKey key = TokenKey.loadOrCreate(file);
      spec.commandLine().getOut().println(key.kid());
      return 0;
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println("token-key: cannot write " + file + ": " + e.getMessage());
      return FILE_ERROR;
    }
  }
}
