package io.portcullis.gateway.auth;

import io.portcullis.gateway.config.Htpasswd;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The users of an htpasswd file of bcrypt hashes ({@code $2y$}, {@code $2a$}, {@code $2b$}), as
 * Docker's distribution <a
 * href="https://distribution.github.io/distribution/about/configuration/#htpasswd">htpasswd
 * auth</a> reads them. An unknown user costs one bcrypt check too, so timing does not tell which
 * users exist; BouncyCastle compares hashes in constant time.
 */
public final class HtpasswdVerifier implements CredentialVerifier {
  /** A hash of a random password, checked for unknown users. */
  private static final String DECOY =
      OpenBSDBCrypt.generate("decoy".toCharArray(), new SecureRandom().generateSeed(16), 10);

  private final Map<String, String> hashes;
  private final AccessPolicy policy;

  HtpasswdVerifier(Map<String, String> hashes, AccessPolicy policy) {
    this.hashes = Map.copyOf(hashes);
    this.policy = policy;
  }

  /** Reads {@code file} (validated at config load; re-read here at start). */
  public static HtpasswdVerifier load(Path file, AccessPolicy policy) {
    return new HtpasswdVerifier(Htpasswd.read(file, "auth.htpasswdFile"), policy);
  }

  @Override
  public Optional<Identity> verify(String username, char[] secret) {
    String hash = hashes.get(username);
    boolean ok = check(hash == null ? DECOY : hash, secret);
    return ok && hash != null ? Optional.of(policy.user(username)) : Optional.empty();
  }

  /** True when the user is in the file, whatever the password (refresh tokens re-check this). */
  public boolean exists(String username) {
    return hashes.containsKey(username);
  }

  private static boolean check(String hash, char[] secret) {
    try {
      return secret.length > 0 && OpenBSDBCrypt.checkPassword(hash, secret);
    } catch (RuntimeException tooLongOrMalformed) {
      return false;
    }
  }
}
