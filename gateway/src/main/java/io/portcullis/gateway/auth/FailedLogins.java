package io.portcullis.gateway.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.portcullis.gateway.config.FailedLoginConfig;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits failed logins ({@code auth.quotas.failedLogins}) per client address and per attempted user
 * name, so passwords cannot be guessed without end and wrong passwords cannot keep the worker
 * threads busy with bcrypt: once a key has had its number of failures within the window (counted
 * from its first failure), further attempts for it are refused before any password check, until the
 * window ends. Successful logins do not count.
 *
 * <p>Once a key has failed at least once, the checks under way for it count as failures to come, so
 * a burst of parallel guesses cannot run more checks than the limit; clients that have not failed
 * are never held back by their own parallel requests. The user name {@value
 * Authenticator#OIDC_USER} is shared by every OIDC exchange and its password is a signed ID token,
 * not something to guess: it counts per address only, so one failing CI job cannot lock all the
 * others out.
 *
 * <p><b>Across replicas.</b> With a {@link Ledger} (the shared state's counters), {@link #admit}
 * also reads the shared counts of the address and the user name before a password is checked, and
 * every failure is added to them, so a name locked out on one replica is locked out on all. When
 * the ledger cannot be reached, this replica counts alone, but against its share of each limit
 * ({@link FleetShare}: the limit divided by the live replicas, rounded up), so an attacker who
 * guesses on every replica during an outage gets about the fleet's limit, not one limit per
 * replica; the outage is logged when it begins and ends.
 *
 * <p>In memory and non-blocking (safe on an event loop); a key's state goes when its window ends,
 * and the map is bounded, so a flood of made-up names cannot grow it without end. Written here
 * rather than taken from a rate-limiting library for the same reason as {@link Quotas}: two small
 * counters per key in a Caffeine map with per-entry expiry.
 */
public final class FailedLogins {
  static final int MAX_KEYS = 100_000;

  /** Longer names cannot be real (htpasswd and robot names are short); only this much is kept. */
  static final int MAX_NAME = 256;

  private static final Logger LOG = LoggerFactory.getLogger(FailedLogins.class);

  private final FailedLoginConfig config;
  private final Ticker ticker;
  private final Cache<String, Counter> counters;
  private final Optional<Ledger> ledger;
  private final FleetShare fleet;
  private final AtomicBoolean ledgerDown = new AtomicBoolean();

  public FailedLogins(FailedLoginConfig config) {
    this(config, Optional.empty(), new FleetShare());
  }

  /** Limits shared through {@code ledger} when present; {@code fleet} sizes the fallback. */
  public FailedLogins(FailedLoginConfig config, Optional<Ledger> ledger, FleetShare fleet) {
    this(config, ledger, fleet, Ticker.systemTicker());
  }

  FailedLogins(FailedLoginConfig config, Ticker ticker) {
    this(config, Optional.empty(), new FleetShare(), ticker);
  }

  FailedLogins(FailedLoginConfig config, Optional<Ledger> ledger, FleetShare fleet, Ticker ticker) {
    this.config = config;
    this.ticker = ticker;
    this.ledger = ledger;
    this.fleet = fleet;
    this.counters =
        Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(MAX_KEYS)
            .expireAfter(new UntilWindowEnds())
            .build();
  }

  /**
   * Failed-login counts shared by the replicas (the shared state's {@code FailedLoginCounters}),
   * keyed as here ({@code address:<ip>}, {@code user:<name>}); each window starts at a key's first
   * failure. Calls fail when the counts cannot be reached.
   */
  public interface Ledger {
    /** Failures of a key in its window and the time until the window ends. */
    record Count(int failures, Duration remaining) {}

    /** Adds one failure to {@code key}; the failures in its window, this one included. */
    Future<Count> recordFailure(String key, Duration window);

    /** The failures of {@code key} in its current window. */
    Future<Count> read(String key);
  }

  /** Why a login was refused and how long to wait before the next one. */
  public record Refusal(Duration retryAfter, String reason) {
    /** {@code Retry-After}: whole seconds, at least one. */
    public long retryAfterSeconds() {
      return Quotas.retryAfterSeconds(retryAfter);
    }
  }

  /**
   * One admitted login attempt; exactly one of {@link #failed()} or {@link #ended()} should follow,
   * and only the first call counts.
   */
  public final class Attempt {
    private final String addressKey;
    private final String userKey;
    private final AtomicBoolean done = new AtomicBoolean();

    private Attempt(String addressKey, String userKey) {
      this.addressKey = addressKey;
      this.userKey = userKey;
    }

    /**
     * The credentials were wrong: counts against the address and the user name. Completes once the
     * fleet's counts have it too (or could not be reached: it never fails), so a caller that
     * answers after it lets no guess on another replica slip in before the count.
     */
    public Future<Void> failed() {
      if (!done.compareAndSet(false, true)) {
        return Future.succeededFuture();
      }
      finish(addressKey, true);
      finish(userKey, true);
      if (ledger.isEmpty()) {
        return Future.succeededFuture();
      }
      return Future.all(
              share(ledger.get(), addressKey),
              userKey == null ? Future.succeededFuture() : share(ledger.get(), userKey))
          .mapEmpty();
    }

    /** The check succeeded or could not be made: nothing is counted. */
    public void ended() {
      if (done.compareAndSet(false, true)) {
        finish(addressKey, false);
        finish(userKey, false);
      }
    }
  }

  /** Either an attempt that may go ahead or the refusal to send instead. */
  public record Admission(Optional<Attempt> attempt, Optional<Refusal> refusal) {}

  /**
   * Asks to check a password for {@code user} from {@code address}: {@link #begin}, then, with a
   * {@link Ledger}, the fleet's counts too (see the class comment). Never blocks.
   */
  public Future<Admission> admit(String address, String user) {
    Admission local = begin(address, user);
    if (ledger.isEmpty() || local.attempt().isEmpty()) {
      return Future.succeededFuture(local);
    }
    Attempt attempt = local.attempt().get();
    Future<Ledger.Count> byAddress = ledger.get().read(attempt.addressKey);
    Future<Ledger.Count> byUser =
        attempt.userKey == null
            ? Future.succeededFuture(new Ledger.Count(0, Duration.ZERO))
            : ledger.get().read(attempt.userKey);
    return Future.all(byAddress, byUser)
        .transform(
            read -> {
              if (read.succeeded()) {
                ledgerAnswered();
                learn(attempt.addressKey, byAddress.result());
                learn(attempt.userKey, byUser.result());
              } else {
                ledgerFailed(read.cause());
              }
              int perAddress =
                  read.succeeded() ? config.perAddress() : fleet.share(config.perAddress());
              int perUser = read.succeeded() ? config.perUser() : fleet.share(config.perUser());
              Optional<Duration> wait = reached(attempt.addressKey, perAddress);
              if (wait.isPresent()) {
                attempt.ended();
                return Future.succeededFuture(
                    refused(
                        wait.get(), perAddress + " failed logins from " + address + " within "));
              }
              wait = attempt.userKey == null ? Optional.empty() : reached(attempt.userKey, perUser);
              if (wait.isPresent()) {
                attempt.ended();
                return Future.succeededFuture(
                    refused(wait.get(), perUser + " failed logins for '" + user + "' within "));
              }
              return Future.succeededFuture(local);
            });
  }

  /** Asks to check a password for {@code user} from {@code address}, on this replica's counts. */
  public Admission begin(String address, String user) {
    String addressKey = "address:" + address;
    String userKey = user.equals(Authenticator.OIDC_USER) ? null : "user:" + truncate(user);
    Optional<Duration> wait = admit(addressKey, config.perAddress());
    if (wait.isPresent()) {
      return refused(
          wait.get(), config.perAddress() + " failed logins from " + address + " within ");
    }
    if (userKey != null) {
      wait = admit(userKey, config.perUser());
      if (wait.isPresent()) {
        finish(addressKey, false);
        return refused(wait.get(), config.perUser() + " failed logins for '" + user + "' within ");
      }
    }
    return new Admission(Optional.of(new Attempt(addressKey, userKey)), Optional.empty());
  }

  private Admission refused(Duration wait, String reason) {
    return new Admission(
        Optional.empty(), Optional.of(new Refusal(wait, reason + describe(config.window()))));
  }

  /** Empty when a check may run (then counted as under way), else how long to wait. */
  private Optional<Duration> admit(String key, int limit) {
    long now = ticker.read();
    Duration[] wait = {null};
    counters
        .asMap()
        .compute(
            key,
            (k, c) -> {
              Counter counter = c == null || c.over(now) ? new Counter() : c;
              if (counter.failures >= limit
                  || (counter.failures > 0 && counter.failures + counter.inFlight >= limit)) {
                // Blocked by failures: until the window ends. Blocked by checks under way: they
                // end within moments, so the client may try again in a second.
                wait[0] =
                    counter.failures >= limit
                        ? Duration.ofNanos(counter.windowEnds - now)
                        : Duration.ofSeconds(1);
              } else {
                counter.inFlight++;
              }
              return counter.idle() ? null : counter;
            });
    return Optional.ofNullable(wait[0]);
  }

  private void finish(String key, boolean failed) {
    if (key == null) {
      return;
    }
    long now = ticker.read();
    update(
        key,
        counter -> {
          counter.inFlight = Math.max(0, counter.inFlight - 1);
          if (failed) {
            if (counter.failures == 0 || counter.over(now)) {
              counter.failures = 0;
              counter.windowEnds = now + config.window().toNanos();
            }
            counter.failures++;
          }
        });
  }

  /** Changes {@code key}'s counter (a new one if none) atomically, and drops it once idle. */
  private void update(String key, Consumer<Counter> change) {
    counters
        .asMap()
        .compute(
            key,
            (k, c) -> {
              Counter counter = c == null ? new Counter() : c;
              change.accept(counter);
              return counter.idle() ? null : counter;
            });
  }

  /**
   * Adds a failure to the fleet's count of {@code key} and learns the fleet's count back; never
   * fails (the local count has the failure either way).
   */
  private Future<Void> share(Ledger l, String key) {
    return l.recordFailure(key, config.window())
        .transform(
            ar -> {
              if (ar.succeeded()) {
                ledgerAnswered();
                learn(key, ar.result());
              } else {
                ledgerFailed(ar.cause());
              }
              return Future.succeededFuture();
            });
  }

  /** Raises the local count of {@code key} to the fleet's, so the next check needs no read. */
  private void learn(String key, Ledger.Count shared) {
    if (key == null || shared.failures() == 0 || shared.remaining().isZero()) {
      return;
    }
    long now = ticker.read();
    update(
        key,
        counter -> {
          if (counter.over(now)) {
            counter.failures = 0;
          }
          if (shared.failures() > counter.failures) {
            counter.failures = shared.failures();
            counter.windowEnds = now + shared.remaining().toNanos();
          }
        });
  }

  /** How long {@code key} stays locked when it has {@code limit} failures in its window. */
  private Optional<Duration> reached(String key, int limit) {
    long now = ticker.read();
    Counter c = counters.getIfPresent(key);
    if (c == null || c.over(now) || c.failures < limit) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofNanos(c.windowEnds - now));
  }

  private void ledgerAnswered() {
    if (ledgerDown.compareAndSet(true, false)) {
      LOG.warn("failed-login counts are shared again");
    }
  }

  private void ledgerFailed(Throwable err) {
    if (ledgerDown.compareAndSet(false, true)) {
      LOG.warn(
          "failed-login counts cannot be shared ({}): counting on this replica alone, against"
              + " its share of the limits (1/{} of them)",
          err.getMessage(),
          fleet.replicas());
    }
  }

  /** Failed logins recorded for the key within its window (tests). */
  int failures(String key) {
    Counter c = counters.getIfPresent(key);
    return c == null || c.over(ticker.read()) ? 0 : c.failures;
  }

  /** A window as the config writes it: {@code 1m}, {@code 90s}, {@code 2h}. */
  static String describe(Duration d) {
    long s = d.toSeconds();
    if (s % 3600 == 0) {
      return s / 3600 + "h";
    }
    return s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  private static String truncate(String user) {
    return user.length() <= MAX_NAME ? user : user.substring(0, MAX_NAME);
  }

  /** One key's failures in its window and checks under way; only touched inside compute. */
  private static final class Counter {
    int failures;
    long windowEnds;
    int inFlight;

    boolean over(long now) {
      return failures > 0 && now - windowEnds >= 0;
    }

    boolean idle() {
      return failures == 0 && inFlight == 0;
    }
  }

  /**
   * A counter lives until its window ends; one with checks under way lives on until they end (a
   * check never takes long, and the map's bound still applies).
   */
  private static final class UntilWindowEnds implements Expiry<String, Counter> {
    @Override
    public long expireAfterCreate(String key, Counter c, long now) {
      if (c.inFlight > 0 || c.failures == 0) {
        return Long.MAX_VALUE;
      }
      return Math.max(0, c.windowEnds - now);
    }

    @Override
    public long expireAfterUpdate(String key, Counter c, long now, long current) {
      return expireAfterCreate(key, c, now);
    }

    @Override
    public long expireAfterRead(String key, Counter c, long now, long current) {
      return current;
    }
  }
}
