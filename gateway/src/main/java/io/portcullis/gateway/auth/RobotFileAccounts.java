package io.portcullis.gateway.auth;

import io.portcullis.gateway.auth.RobotStore.CreatedRobot;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;

/**
 * The robots file's accounts for the robots admin API: each call on a worker thread (file writes
 * and bcrypt), one at a time in call order (ordered {@code executeBlocking}), since {@link
 * RobotFile#update} replaces the whole file.
 */
public record RobotFileAccounts(Vertx vertx, RobotStore store) implements RobotAccounts {
  @Override
  public Future<CreatedRobot> create(
      String name, List<String> roles, List<String> scopes, Duration ttl) {
    return vertx.executeBlocking(() -> store.create(name, roles, scopes, ttl), true);
  }

  @Override
  public Future<List<RobotRecord>> list() {
    return vertx.executeBlocking(store::list, true);
  }

  @Override
  public Future<Boolean> revoke(String name) {
    return vertx.executeBlocking(() -> store.revoke(name), true);
  }
}
