package io.portcullis.gateway.config;

import java.time.Duration;

/**
 * {@code auth.quotas.failedLogins}: how many failed logins (wrong password, unknown user, bad OIDC
 * ID token) a client address and an attempted user name may have within {@code window} before
 * further logins from that address, or for that name, are refused with 429 without a password
 * check. On whenever {@code auth} is configured; these settings only change the limits.
 *
 * @param perAddress failed logins per client address within the window
 * @param perUser failed logins per attempted user name within the window
 * @param window how long failures are counted, from the first one
 */
public record FailedLoginConfig(int perAddress, int perUser, Duration window) {
  /** What a gateway with {@code auth} and without {@code failedLogins} enforces. */
  public static final FailedLoginConfig DEFAULTS =
      new FailedLoginConfig(10, 5, Duration.ofMinutes(1));
}
