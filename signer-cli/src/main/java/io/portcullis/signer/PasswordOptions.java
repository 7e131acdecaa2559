package io.portcullis.signer;

import java.io.Console;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Option;

/**
 * Where a private key's password comes from: {@code --password-file} (first line) or an interactive
 * prompt on the console. Never an argument or an environment variable, and never echoed. Without a
 * console and without a file the command is a usage error, rather than silently using no password.
 */
public final class PasswordOptions {

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "File whose first line is the key password (else you are prompted).")
  Path passwordFile;

  /** The password; the caller should wipe the array when done. */
  public char[] read(String prompt, boolean confirm) {
    if (passwordFile != null) {
      try {
        String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
        return text.lines().findFirst().orElse("").toCharArray();
      } catch (IOException e) {
        throw new UsageException("cannot read --password-file " + passwordFile);
      }
    }
    Console console = System.console();
    if (console == null) {
      throw new UsageException("no console to ask for the key password; use --password-file FILE");
    }
    char[] first = console.readPassword("%s: ", prompt);
    if (first == null) {
      throw new UsageException("no password entered");
    }
    if (confirm) {
      char[] again = console.readPassword("Repeat %s: ", prompt.toLowerCase(java.util.Locale.ROOT));
      boolean same = Arrays.equals(first, again);
      if (again != null) {
        Arrays.fill(again, '\0');
      }
      if (!same) {
        Arrays.fill(first, '\0');
        throw new UsageException("the passwords do not match");
      }
    }
    return first;
  }
}
