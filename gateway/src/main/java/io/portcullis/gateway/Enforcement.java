package io.portcullis.gateway;

import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.enforce.AuditLog;
import io.portcullis.gateway.enforce.Enforcer;
import io.portcullis.gateway.enforce.PinStore;
import io.portcullis.gateway.enforce.PolicyHolder;
import io.portcullis.gateway.enforce.SigstoreRootRefresher;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.state.PostgresState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The trust-enforcement parts of a running gateway, or none when no policy is configured. */
record Enforcement(Optional<PolicyHolder> holder, Optional<AuditLog> audit, Enforcer enforcer) {
  private static final Logger LOG = LoggerFactory.getLogger(Enforcement.class);

  /**
   * Starts enforcement; with {@code state} (several replicas), pins, approvals and DCT first-use
   * roots are those of the shared state rather than this replica's files.
   */
  static Enforcement start(
      Vertx vertx, GatewayConfig config, GatewayMetrics metrics, Optional<PostgresState> state)
      throws IOException {
    Optional<AuditLog> audit = Optional.empty();
    if (config.auditFile().isPresent()) {
      audit = Optional.of(AuditLog.open(vertx, config.auditFile().get()));
    }
    if (config.policy().isEmpty()) {
      LOG.warn("no trust policy configured (policy.file): every image is let through unverified");
      return new Enforcement(Optional.empty(), audit, null);
    }
    GatewayConfig.PolicyConfig pc = config.policy().get();
    PolicyHolder holder =
        new PolicyHolder(
            pc,
            Optional.of(
                new SigstoreRootRefresher(
                    config.dataDir().resolve("sigstore-tuf"), java.time.Clock.systemUTC())));
    holder.watch(vertx, pc.reloadInterval().toMillis());
    LOG.info(
        "trust policy {} in force (revision {}), reloaded when it changes",
        pc.file(),
        holder.current().policy().revision());
    Path dataDir = config.dataDir();
    if (state.isPresent()) {
      LOG.info("tag pins, approvals and DCT first-use roots are shared through the shared state");
      return new Enforcement(
          Optional.of(holder),
          audit,
          new Enforcer(
              vertx,
              holder,
              new PostgresFleetState(state.get()),
              new PostgresDctRoots(state.get().dctRoots()),
              audit,
              metrics,
              dataDir));
    }
    PinStore pins = new PinStore(vertx, config.dataDir().resolve("pins.json"));
    return new Enforcement(
        Optional.of(holder), audit, new Enforcer(vertx, holder, pins, audit, metrics, dataDir));
  }

  Future<Void> close(Vertx vertx) {
    holder.ifPresent(h -> h.stop(vertx));
    if (enforcer != null) {
      enforcer.close();
    }
    return audit.map(AuditLog::close).orElse(Future.succeededFuture());
  }
}
