package io.portcullis.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.portcullis.gateway.config.QuotaConfig;
import io.portcullis.gateway.config.QuotaConfig.Limits;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-identity request-rate and concurrent-transfer limits ({@code auth.quotas}): a token bucket
 * per identity for requests, a counter per identity for blob transfers in flight. Identities are
 * keyed by subject; anonymous callers by client address. Everything is in memory and non-blocking
 * (safe on an event loop); the state of an identity is dropped after it has been idle long enough
 * for its bucket to be full again, and never while one of its transfers is in flight.
 *
 * <p>Behind a load balancer each replica enforces its share of every limit ({@link FleetShare}: the
 * limit divided by the live replicas, rounded up), so one identity gets about its limit from the
 * whole fleet without a database round trip per request.
 *
 * <p>Written here rather than taken from a rate-limiting library: the limits are two counters per
 * key, and the state lives in a Caffeine map whose expiry knows about transfers in flight.
 */
public final class Quotas {
  /** How long a refused transfer is told to wait: transfers end at no predictable time. */
  static final Duration TRANSFER_RETRY_AFTER = Duration.ofSeconds(1);

  private static final long MIN_IDLE_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final QuotaConfig config;
  private final FleetShare fleet;
  private final Ticker ticker;
  private final Cache<String, State> states;

  public Quotas(QuotaConfig config) {
    this(config, new FleetShare());
  }

  public Quotas(QuotaConfig config, FleetShare fleet) {
    this(config, fleet, Ticker.systemTicker());
  }

  Quotas(QuotaConfig config, Ticker ticker) {
    this(config, new FleetShare(), ticker);
  }

  Quotas(QuotaConfig config, FleetShare fleet, Ticker ticker) {
    this.config = config;
    this.fleet = fleet;
    this.ticker = ticker;
    this.states =
        Caffeine.newBuilder().ticker(ticker).expireAfter(new IdleUnlessTransferring()).build();
  }

  /**
   * The limits this replica applies to {@code identity}: its share ({@link FleetShare}) of the
   * identity's own limits ({@code users}), else its roles' most generous, else the defaults.
   */
  public Limits limits(Identity identity) {
    return configured(identity).shareOf(fleet.replicas());
  }

  private Limits configured(Identity identity) {
    if (identity.kind() != Identity.Kind.ANONYMOUS) {
      Limits own = config.users().get(identity.subject());
      if (own != null) {
        return own;
      }
    }
    List<Limits> byRole =
        identity.kind() == Identity.Kind.ANONYMOUS
            ? List.of()
            : identity.roles().stream().map(config.roles()::get).filter(Objects::nonNull).toList();
    return config.defaults().mostGenerous(byRole);
  }

  /** The key an identity's quota is kept under: anonymous callers count per client address. */
  public static String key(Identity identity, String address) {
    return identity.kind() == Identity.Kind.ANONYMOUS
        ? "anonymous@" + address
        : identity.kind().name().toLowerCase(Locale.ROOT) + ":" + identity.subject();
  }

  /** Takes one request from the identity's bucket; empty when allowed, else how long to wait. */
  public Optional<Duration> admitRequest(Identity identity, String address) {
    Limits limits = limits(identity);
    if (!limits.rateLimited()) {
      return Optional.empty();
    }
    Duration[] wait = {null};
    long now = ticker.read();
    states
        .asMap()
        .compute(
            key(identity, address),
            (k, s) -> {
              State state = s == null ? new State(limits, now) : s.withLimits(limits);
              wait[0] = state.take(now);
              return state;
            });
    return Optional.ofNullable(wait[0]);
  }

  /** A transfer slot; {@link #release()} may be called any number of times. */
  public interface Lease {
    void release();
  }

  /** A transfer slot for the identity, or empty when all of its slots are taken. */
  public Optional<Lease> acquireTransfer(Identity identity, String address) {
    Limits limits = limits(identity);
    if (limits.concurrentTransfers() == Integer.MAX_VALUE) {
      return Optional.of(() -> {});
    }
    String key = key(identity, address);
    boolean[] got = {false};
    long now = ticker.read();
    states
        .asMap()
        .compute(
            key,
            (k, s) -> {
              State state = s == null ? new State(limits, now) : s.withLimits(limits);
              if (state.transfers < limits.concurrentTransfers()) {
                state.transfers++;
                got[0] = true;
              }
              return state;
            });
    if (!got[0]) {
      return Optional.empty();
    }
    AtomicBoolean released = new AtomicBoolean();
    return Optional.of(
        () -> {
          if (released.compareAndSet(false, true)) {
            // compute, so the expiry sees the new count: idle state may go again.
            states
                .asMap()
                .computeIfPresent(
                    key,
                    (k, s) -> {
                      s.transfers--;
                      return s;
                    });
          }
        });
  }

  /** Transfers in flight for the key (tests and metrics). */
  int transfersInFlight(String key) {
    State s = states.getIfPresent(key);
    return s == null ? 0 : s.transfers;
  }

  public static Duration transferRetryAfter() {
    return TRANSFER_RETRY_AFTER;
  }

  /** A wait as {@code Retry-After} gives it: whole seconds, rounded up, at least one. */
  public static long retryAfterSeconds(Duration wait) {
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }

  /** One identity's bucket and transfer count; only touched inside the map's compute. */
  private static final class State {
    private Limits limits;
    private double tokens;
    private long refilledAt;
    private int transfers;

    State(Limits limits, long now) {
      this.limits = limits;
      this.tokens = limits.burst();
      this.refilledAt = now;
    }

    State withLimits(Limits current) {
      if (!current.equals(limits)) {
        limits = current;
        tokens = Math.min(tokens, current.burst());
      }
      return this;
    }

    /** Null when a token was taken; otherwise the time until one is there. */
    Duration take(long now) {
      if (!limits.rateLimited()) {
        return null;
      }
      double elapsed = Math.max(0, now - refilledAt) / 1e9;
      tokens = Math.min(limits.burst(), tokens + elapsed * limits.requestsPerSecond());
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return null;
      }
      double seconds = (1 - tokens) / limits.requestsPerSecond();
      return Duration.ofNanos((long) Math.ceil(seconds * 1e9));
    }

    /** How long until this state is worth nothing: its bucket full again. */
    long idleNanos() {
      if (!limits.rateLimited()) {
        return MIN_IDLE_NANOS;
      }
      double refill = limits.burst() / limits.requestsPerSecond() * 1e9;
      return (long) Math.min(Long.MAX_VALUE / 2, Math.max(MIN_IDLE_NANOS, refill));
    }
  }

  /** An identity's state expires when idle, but never while it has a transfer in flight. */
  private static final class IdleUnlessTransferring implements Expiry<String, State> {
    @Override
    public long expireAfterCreate(String key, State s, long now) {
      return s.transfers > 0 ? Long.MAX_VALUE : s.idleNanos();
    }

    @Override
    public long expireAfterUpdate(String key, State s, long now, long current) {
      return expireAfterCreate(key, s, now);
    }

    @Override
    public long expireAfterRead(String key, State s, long now, long current) {
      return current;
    }
  }
}
