package io.portcullis.gateway.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Upload session ids handed to clients. The id carries the upstream's own upload location, sealed
 * with an HMAC over the upstream, the gateway repository and that location, so the gateway keeps no
 * session state (any replica sharing the key can continue an upload) and a client cannot aim an
 * upload at another repository or path with the gateway's upstream credentials.
 */
public final class UploadIds {
  private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{4,4096}\\.[A-Za-z0-9_-]{22}");
  private static final int MAC_BYTES = 16;
  private final SecretKeySpec key;

  public UploadIds(byte[] key) {
    if (key.length < 32) {
      throw new IllegalArgumentException("upload id key must have at least 32 bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
  }

  static boolean looksValid(String id) {
    return id != null && SHAPE.matcher(id).matches();
  }

  /** Seals an upstream upload location for a client. */
  public String seal(String upstream, String repository, String location) {
    byte[] loc = location.getBytes(StandardCharsets.UTF_8);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(loc)
        + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(mac(upstream, repository, loc));
  }

  /**
   * The upstream location inside {@code id}, when it was sealed for this upstream and repository.
   */
  public Optional<String> open(String upstream, String repository, String id) {
    if (!looksValid(id)) {
      return Optional.empty();
    }
    int dot = id.indexOf('.');
    byte[] loc;
    byte[] tag;
    try {
      loc = Base64.getUrlDecoder().decode(id.substring(0, dot));
      tag = Base64.getUrlDecoder().decode(id.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(tag, mac(upstream, repository, loc))) {
      return Optional.empty();
    }
    return Optional.of(new String(loc, StandardCharsets.UTF_8));
  }

  private byte[] mac(String upstream, String repository, byte[] location) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update(upstream.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      mac.update(repository.getBytes(StandardCharsets.UTF_8));
      mac.update((byte) 0);
      mac.update(location);
      byte[] full = mac.doFinal();
      byte[] out = new byte[MAC_BYTES];
      System.arraycopy(full, 0, out, 0, MAC_BYTES);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
