package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Writes an Apache htpasswd file with one bcrypt entry, the only hash distribution's htpasswd
 * access controller accepts. Written here rather than with the {@code htpasswd} tool so the suite
 * needs no apache2-utils.
 */
final class Htpasswd {
  /** bcrypt's minimum is 4; 5 keeps each authenticated request cheap for the registry. */
  private static final int COST = 5;

  private static final int SALT_BYTES = 16;

  private Htpasswd() {}

  static void write(Path file, Credentials credentials) {
    byte[] salt = new byte[SALT_BYTES];
    new SecureRandom().nextBytes(salt);
    String hash = OpenBSDBCrypt.generate(credentials.password().toCharArray(), salt, COST);
    try {
      Files.writeString(file, credentials.username() + ":" + hash + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
