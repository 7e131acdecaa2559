package io.portcullis.gateway.auth;

import java.nio.CharBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Robot secrets: made here, shown once, kept only as a bcrypt hash (BouncyCastle's {@link
 * OpenBSDBCrypt}, cost {@value #COST}).
 *
 * <p>Why bcrypt: its modular-crypt string ({@code $2y$10$<salt><hash>}) carries salt and cost, so
 * the robots file needs one field and old hashes keep verifying if the cost is raised; it is the
 * htpasswd format registries already use. PBKDF2 and Argon2 in BouncyCastle give raw bytes for
 * which we would invent an encoding. The secrets are 256 random bits, so no work factor is what
 * keeps them safe; cost 10 (~50-80 ms) makes a leaked file useless for guessing while keeping a
 * login cheap. Comparison is constant-time ({@code OpenBSDBCrypt.checkPassword} compares with
 * {@code Strings.constantTimeAreEqual}).
 */
public final class SecretHasher {
  /** bcrypt work factor: 2^10 rounds. */
  public static final int COST = 10;

  /** Secrets are recognisable in leaks and to secret scanners by this prefix. */
  static final String SECRET_PREFIX = "pcr_";

  private static final Pattern SECRET = Pattern.compile("pcr_[A-Za-z0-9_-]{43}");
  private static final Pattern HASH = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Checked against when there is no robot, so an unknown name costs as long as a known one. */
  private static final String DUMMY_HASH = hash("pcr_not-a-real-secret".toCharArray());

  private SecretHasher() {}

  /** A new secret: {@code pcr_} and 32 random bytes, base64url. */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return SECRET_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String hash(char[] secret) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", secret, salt, COST);
  }

  /**
   * True when {@code secret} hashes to {@code hash}. Anything that is not shaped like a secret is
   * refused before hashing: bcrypt reads only 72 bytes, and a long input must not be able to match
   * on its prefix.
   */
  public static boolean matches(String hash, char[] secret) {
    if (secret == null || !SECRET.matcher(CharBuffer.wrap(secret)).matches()) {
      burn();
      return false;
    }
    try {
      return OpenBSDBCrypt.checkPassword(hash, secret);
    } catch (RuntimeException malformedHash) {
      return false;
    }
  }

  /** Spends the time of one check, for callers that already know the answer is no. */
  public static void burn() {
    // bcrypt's time depends on the cost only, not on the input
    OpenBSDBCrypt.checkPassword(DUMMY_HASH, "pcr_probe".toCharArray());
  }

  static boolean isHash(String value) {
    return value != null && HASH.matcher(value).matches();
  }
}
