package io.portcullis.core.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A registry user name and password. {@link #toString()} never shows the password, so a stray log
 * line or exception message cannot leak it.
 */
public record Credentials(String username, String password) {

  public Credentials {
    if (username == null || username.isEmpty() || password == null) {
      throw new IllegalArgumentException("credentials need a user name and a password");
    }
  }

  /** The value of an {@code Authorization: Basic} header (RFC 7617). */
  public String basicAuthorization() {
    String pair = username + ":" + password;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return "Credentials[username=" + username + ", password=***]";
  }
}
