package io.portcullis.gateway.auth;

import java.util.List;
import java.util.Objects;

/**
 * Who is asking. {@code roles} name roles of the {@code auth.roles} config; {@code
 * repositoryScopes}, when not empty, narrow what those roles allow further to repositories matching
 * one of these globs (robots carry the scopes they were created with).
 */
public record Identity(
    String subject, Kind kind, List<String> roles, List<String> repositoryScopes) {

  /** How the identity was established. */
  public enum Kind {
    USER,
    ROBOT,
    OIDC,
    ANONYMOUS
  }

  public Identity {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(kind, "kind");
    roles = List.copyOf(roles);
    repositoryScopes = List.copyOf(repositoryScopes);
  }
}
