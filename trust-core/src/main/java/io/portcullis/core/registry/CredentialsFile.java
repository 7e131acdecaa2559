package io.portcullis.core.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A {@code --registry-creds-file}: one line {@code user:password} ({@link #parse}), used for every
 * registry the command talks to. The password may itself contain colons; the user name may not.
 */
public final class CredentialsFile implements CredentialSource {

  private final Credentials credentials;

  private CredentialsFile(Credentials credentials) {
    this.credentials = credentials;
  }

  /** Reads {@code file}; the message of a malformed file never repeats its content. */
  public static CredentialsFile read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read registry credentials file " + file, e);
    }
    try {
      return new CredentialsFile(parse(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "registry credentials file " + file + " " + e.getMessage());
    }
  }

  /**
   * The one rule for a credentials file, for the CLI's {@code --registry-creds-file} and the
   * gateway's {@code upstreams[].credentialsFile} alike: one line {@code user:password} (a trailing
   * newline is fine), a user name without a colon, a password that is not empty. A malformed file
   * is refused with a message that never repeats its content, which is a secret even when wrong.
   */
  public static Credentials parse(String text) {
    String line = text.strip();
    int colon = line.indexOf(':');
    if (colon <= 0 || colon == line.length() - 1 || line.contains("\n") || line.contains("\r")) {
      throw new IllegalArgumentException("must hold one line 'user:password'");
    }
    return new Credentials(line.substring(0, colon), line.substring(colon + 1));
  }

  @Override
  public Optional<Credentials> lookup(String registry) {
    return Optional.of(credentials);
  }
}
