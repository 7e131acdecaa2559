package io.portcullis.gateway.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Upload session ids handed to clients. The id carries the upstream's own upload location encrypted
 * with AES-256-GCM, so that it reveals neither the upstream's address nor its session state ({@code
 * _state=...}), and the gateway keeps no session state (any replica sharing {@code upload-id.key}
 * can continue an upload). The upstream's name and the gateway repository are the associated data:
 * an id opens only for the repository it was issued for, so a client cannot aim an upload at
 * another repository or path with the gateway's upstream credentials.
 *
 * <p>An id is {@code base64url(nonce || ciphertext || tag)}, 12-byte random nonce, 16-byte tag.
 * Random nonces are safe for about 2^32 ids per key (NIST SP 800-38D 8.3), far beyond the uploads a
 * key sees; rotating {@code upload-id.key} ends the sessions open at that moment. Ids of the former
 * HMAC format (which had a {@code .}) are refused: such uploads start again.
 */
public final class UploadIds {
  /** At most as long as ids have always been (4096 + 1 + 22 characters). */
  static final int MAX_ID = 4119;

  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;
  private static final int MIN_ID = (NONCE + TAG_BITS / 8 + 1) * 4 / 3;
  private static final Pattern SHAPE =
      Pattern.compile("[A-Za-z0-9_-]{" + MIN_ID + "," + MAX_ID + "}");
  private static final byte[] KEY_LABEL =
      "portcullis upload id, AES-256-GCM, v2".getBytes(StandardCharsets.UTF_8);
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec key;

  /**
   * {@code key} is the shared {@code upload-id.key}; the cipher key is derived from it (HMAC-SHA256
   * over a fixed label), so the file's bytes are never used as a key for two purposes.
   */
  public UploadIds(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("upload id key must have at least 32 bytes");
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      this.key = new SecretKeySpec(mac.doFinal(KEY_LABEL), "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static boolean looksValid(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }

  /**
   * Seals an upstream upload location for a client; throws {@link IllegalArgumentException} when
   * the location is too long for an id.
   */
  public String seal(String upstream, String repository, String location) {
    byte[] nonce = new byte[NONCE];
    RANDOM.nextBytes(nonce);
    byte[] sealed;
    try {
      Cipher gcm = cipher(Cipher.ENCRYPT_MODE, nonce, upstream, repository);
      sealed = gcm.doFinal(location.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
    String id =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array());
    if (id.length() > MAX_ID) {
      throw new IllegalArgumentException(
          "upload location of " + location.length() + " characters is too long for an upload id");
    }
    return id;
  }

  /**
   * The upstream location inside {@code id}, when it was sealed with this key for this upstream and
   * repository and not altered.
   */
  public Optional<String> open(String upstream, String repository, String id) {
    if (!looksValid(id)) {
      return Optional.empty();
    }
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(id);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (raw.length < NONCE + TAG_BITS / 8) {
      return Optional.empty();
    }
    try {
      byte[] nonce = java.util.Arrays.copyOf(raw, NONCE);
      Cipher gcm = cipher(Cipher.DECRYPT_MODE, nonce, upstream, repository);
      return Optional.of(
          new String(gcm.doFinal(raw, NONCE, raw.length - NONCE), StandardCharsets.UTF_8));
    } catch (AEADBadTagException wrongKeyRepositoryOrBytes) {
      return Optional.empty();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String upstream, String repository)
      throws GeneralSecurityException {
    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
    gcm.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    // Length-free separator: neither name can contain a NUL byte.
    gcm.updateAAD((upstream + "\0" + repository).getBytes(StandardCharsets.UTF_8));
    return gcm;
  }
}
