package io.portcullis.gateway.auth;

import io.portcullis.gateway.config.AccessRule.Action;
import java.time.Instant;
import java.util.List;

/** A verified bearer token: who it was issued to, what it grants, and until when. */
public record AccessToken(Identity identity, List<Scope> access, Instant expiry) {
  public AccessToken {
    access = List.copyOf(access);
  }

  /** True when the token's {@code access} claim grants {@code action} on {@code repository}. */
  public boolean grants(String repository, Action action) {
    return access.stream()
        .anyMatch(
            s ->
                s.type().equals(Scope.REPOSITORY)
                    && s.name().equals(repository)
                    && s.actions().contains(action.wire()));
  }
}
