package io.portcullis.gateway.auth;

import io.portcullis.gateway.auth.RobotStore.CreatedRobot;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;

/**
 * Creating, listing and revoking robots in whichever store {@code auth.robots} names (the robots
 * file or the shared state), for the robots admin API and the {@code robot} command. Never blocks
 * the caller: file and bcrypt work run on worker threads.
 */
public interface RobotAccounts {
  /**
   * A new robot valid for {@code ttl}, with its secret (shown once, stored only as its hash); fails
   * with {@link RobotExistsException} when the name is taken and {@link IllegalArgumentException}
   * for an invalid name, scope or ttl. Roles are the caller's to check against {@code auth.roles}.
   */
  Future<CreatedRobot> create(String name, List<String> roles, List<String> scopes, Duration ttl);

  /** Every robot; records carry the secret's hash, never a secret. */
  Future<List<RobotRecord>> list();

  /** Revokes the robot; false when there is none by that name. Revoking twice is no error. */
  Future<Boolean> revoke(String name);
}
