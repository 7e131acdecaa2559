package io.portcullis.gateway;

import io.portcullis.gateway.auth.SecretHasher;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code portcullis-gateway htpasswd USER [--password-file FILE]}: prints one bcrypt htpasswd line
 * for {@code auth.htpasswdFile} (or for Docker's distribution, which reads the same format). The
 * password comes from a file, from standard input, or from a prompt without echo when standard
 * input is a terminal; never from the command line, where other users' {@code ps} would see it.
 * Exit codes: 0 printed, 2 usage or an unusable name or password.
 */
@Command(
    name = "htpasswd",
    mixinStandardHelpOptions = true,
    description = {
      "Print 'USER:bcrypt-hash' for an htpasswd file.",
      "The password is read from --password-file, or the first line of standard input, or a"
          + " prompt without echo; never from an argument."
    })
public final class HtpasswdCommand implements Callable<Integer> {
  static final int USAGE = 2;

  /** bcrypt reads 72 bytes; a longer password would match on its prefix alone. */
  static final int MAX_PASSWORD_BYTES = 72;

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "USER", description = "User name: no ':', spaces or control characters.")
  String user;

  @Option(
      names = "--password-file",
      paramLabel = "FILE",
      description = "Read the password from the first line of FILE.")
  Path passwordFile;

  /** Standard input; a field so that tests can feed it. */
  InputStream in = System.in;

  @Override
  public Integer call() {
    if (user.isEmpty()
        || user.length() > 255
        || !user.codePoints().allMatch(c -> c > 0x20 && c != ':' && c != 0x7f)) {
      return refuse("user name must be 1-255 characters without ':', spaces or control characters");
    }
    char[] password;
    try {
      password = readPassword();
    } catch (IOException e) {
      return refuse("cannot read the password: " + e.getMessage());
    }
    if (password == null) {
      return refuse("no password given (standard input was empty, or the prompts did not match)");
    }
    try {
      String problem = problem(password);
      if (problem != null) {
        return refuse(problem);
      }
      spec.commandLine().getOut().println(user + ":" + SecretHasher.hash(password));
      spec.commandLine().getOut().flush();
      return 0;
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  private char[] readPassword() throws IOException {
    if (passwordFile != null) {
      try (BufferedReader r = Files.newBufferedReader(passwordFile, StandardCharsets.UTF_8)) {
        return firstLine(r);
      }
    }
    Console console = in == System.in ? System.console() : null;
    if (console != null) {
      char[] first = console.readPassword("password for %s: ", user);
      char[] again = console.readPassword("again: ");
      boolean same = first != null && Arrays.equals(first, again);
      if (again != null) {
        Arrays.fill(again, '\0');
      }
      return same ? first : null;
    }
    return firstLine(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
  }

  /** The first line without its line break, or null when there is none. */
  private static char[] firstLine(BufferedReader r) throws IOException {
    String line = r.readLine();
    return line == null ? null : line.toCharArray();
  }

  private static String problem(char[] password) {
    if (password.length == 0) {
      return "the password is empty";
    }
    for (char c : password) {
      if (c < 0x20 || c == 0x7f) {
        return "the password holds a control character";
      }
    }
    if (StandardCharsets.UTF_8.encode(CharBuffer.wrap(password)).remaining() > MAX_PASSWORD_BYTES) {
      return "the password is longer than "
          + MAX_PASSWORD_BYTES
          + " bytes, all bcrypt reads; choose a shorter one";
    }
    return null;
  }

  private int refuse(String message) {
    spec.commandLine().getErr().println("htpasswd: " + message);
    spec.commandLine().getErr().flush();
    return USAGE;
  }
}
