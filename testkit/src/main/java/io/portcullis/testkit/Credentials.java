package io.portcullis.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A user name and password for HTTP Basic authentication against a test registry.
 *
 * @param username the user, without a colon
 * @param password the password in clear: these are throwaway test credentials
 */
public record Credentials(String username, String password) {
  public Credentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isEmpty() || username.contains(":")) {
      throw new IllegalArgumentException("a Basic auth user name must be non-empty without ':'");
    }
  }

  /** {@code user:password}, the form skopeo's {@code --creds} options take. */
  public String colonSeparated() {
    return username + ":" + password;
  }

  /** The base64 token of an {@code Authorization: Basic} header and of containers auth.json. */
  public String basicToken() {
    return Base64.getEncoder().encodeToString(colonSeparated().getBytes(StandardCharsets.UTF_8));
  }
}
