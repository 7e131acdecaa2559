package io.portcullis.gateway.http;

import io.portcullis.gateway.auth.AuthServices;
import io.portcullis.gateway.auth.Identity;
import io.portcullis.gateway.auth.Quotas;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Applies {@code auth.quotas} to a request access control has let through: one token from the
 * identity's request bucket, and for blob transfers (blob GET, upload PATCH and PUT) one of its
 * transfer slots, held until the transfer ends or the client goes away. Over a limit the request
 * gets {@code 429 TOOMANYREQUESTS} with {@code Retry-After} (whole seconds), and the refusal is
 * audited.
 */
final class QuotaGate {
  private final AuthServices auth;

  QuotaGate(AuthServices auth) {
    this.auth = auth;
  }

  /**
   * Runs {@code serve} within the caller's quotas; {@code transfer} says whether the request moves
   * a blob. Fails with 429 without calling {@code serve} when a limit is reached.
   */
  Future<Void> within(
      HttpServerRequest req,
      Caller caller,
      AccessGate.Need need,
      boolean transfer,
      Supplier<Future<Void>> serve) {
    Quotas quotas = auth.quotas();
    Identity id = caller.identity().orElseThrow();
    Optional<Duration> wait = quotas.admitRequest(id, caller.address());
    if (wait.isPresent()) {
      throw refuse(caller, need, wait.get(), overRequestRate(quotas, id));
    }
    if (!transfer) {
      return serve.get();
    }
    Optional<Quotas.Lease> lease = quotas.acquireTransfer(id, caller.address());
    if (lease.isEmpty()) {
      throw refuse(
          caller,
          need,
          Quotas.transferRetryAfter(),
          quotas.limits(id).concurrentTransfers()
              + " transfer(s) of '"
              + id.subject()
              + "' already in flight");
    }
    Quotas.Lease slot = lease.get();
    // The served future ends with the transfer, also when the client goes away; the connection's
    // close is a second signal for a transfer whose upstream side hangs. Releasing is idempotent.
    RequestObserver.onConnectionClose(req, slot::release);
    Future<Void> served;
    try {
      served = serve.get();
    } catch (RuntimeException e) {
      slot.release();
      throw e;
    }
    return served.onComplete(ar -> slot.release());
  }

  private OciException refuse(Caller caller, AccessGate.Need need, Duration wait, String why) {
    long seconds = Quotas.retryAfterSeconds(wait);
    auth.audit()
        .authorization(
            caller.address(),
            caller.requestId(),
            caller.identity().orElseThrow(),
            need.action() == null ? "request" : need.action().wire(),
            need.repository(),
            "throttled",
            why);
    return OciException.of(OciErrorCode.TOOMANYREQUESTS, why + "; retry in " + seconds + " s")
        .withHeader("Retry-After", Long.toString(seconds));
  }

  /** Why a request over the identity's request rate is refused (audit and error message). */
  static String overRequestRate(Quotas quotas, Identity id) {
    return "request rate over "
        + rate(quotas.limits(id).requestsPerSecond())
        + "/s for '"
        + id.subject()
        + "'";
  }

  private static String rate(double perSecond) {
    return perSecond == Math.rint(perSecond)
        ? Long.toString((long) perSecond)
        : Double.toString(perSecond);
  }
}
