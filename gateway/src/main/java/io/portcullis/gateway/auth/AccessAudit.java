package io.portcullis.gateway.auth;

import io.portcullis.gateway.enforce.AuditLog;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every authentication and authorization decision in the audit log (when one is configured)
 * and refusals in the gateway log, with the id of the client request it was made for ({@code
 * requestId}, null when none). Callers pass names, never secrets.
 */
public final class AccessAudit {
  private static final Logger LOG = LoggerFactory.getLogger(AccessAudit.class);
  private final Optional<AuditLog> log;

  public AccessAudit(Optional<AuditLog> log) {
    this.log = log;
  }

  /** A credential check: {@code method} is how (basic, bearer, password, refresh_token, ...). */
  public void authentication(
      String client,
      String requestId,
      String subject,
      String kind,
      String method,
      boolean ok,
      String message) {
    String outcome = ok ? "authenticated" : "rejected";
    if (!ok) {
      LOG.info(
          "authentication {} for '{}' from {} ({}): {}", outcome, subject, client, method, message);
    }
    log.ifPresent(
        l ->
            l.write(
                new AuditLog.AccessRecord(
                    "authentication",
                    client,
                    subject,
                    kind == null ? null : kind.toLowerCase(Locale.ROOT),
                    method,
                    null,
                    outcome,
                    message,
                    requestId)));
  }

  /**
   * A login refused before its password was checked, because of too many failed logins: recorded
   * under the attempted user name, action {@code login}, outcome {@code throttled}.
   */
  public void throttledLogin(String client, String requestId, String user, String message) {
    // debug: throttled attempts are cheap for an attacker to repeat; the audit log has each one.
    LOG.debug("login throttled for '{}' from {}: {}", user, client, message);
    log.ifPresent(
        l ->
            l.write(
                new AuditLog.AccessRecord(
                    "authentication",
                    client,
                    user,
                    null,
                    "login",
                    null,
                    "throttled",
                    message,
                    requestId)));
  }

  /** An access decision: {@code outcome} is allowed, denied, challenged or token-granted. */
  public void authorization(
      String client,
      String requestId,
      Identity who,
      String action,
      String repository,
      String outcome,
      String message) {
    if (!outcome.equals("allowed") && !outcome.equals("granted")) {
      LOG.debug(
          "{} {} on {} for '{}' from {}: {}",
          outcome,
          action,
          repository,
          who.subject(),
          client,
          message);
    }
    log.ifPresent(
        l ->
            l.write(
                new AuditLog.AccessRecord(
                    "authorization",
                    client,
                    who.subject(),
                    who.kind().name().toLowerCase(Locale.ROOT),
                    action,
                    repository,
                    outcome,
                    message,
                    requestId)));
  }
}
