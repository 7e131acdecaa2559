package io.portcullis.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.gateway.config.FailedLoginConfig;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link FailedLogins} on a clock the test moves. */
class FailedLoginsTest {
  final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  FailedLogins limiter(int perAddress, int perUser) {
    return new FailedLogins(
        new FailedLoginConfig(perAddress, perUser, Duration.ofMinutes(1)), nanos::get);
  }

  void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  static void fail(FailedLogins f, String address, String user) {
    f.begin(address, user).attempt().orElseThrow(() -> new AssertionError("refused")).failed();
  }

  static boolean admitted(FailedLogins f, String address, String user) {
    FailedLogins.Admission a = f.begin(address, user);
    a.attempt().ifPresent(FailedLogins.Attempt::ended);
    return a.attempt().isPresent();
  }

  @Test
  void perUserNameAnyAddressRefusedUntilTheWindowEnds() {
    FailedLogins f = limiter(100, 3);
    fail(f, "10.0.0.1", "alice");
    advance(Duration.ofSeconds(20));
    fail(f, "10.0.0.2", "alice");
    fail(f, "10.0.0.3", "alice");
    FailedLogins.Admission refused = f.begin("10.0.0.4", "alice");
    assertTrue(refused.attempt().isEmpty(), "the right password would not be checked either");
    FailedLogins.Refusal r = refused.refusal().orElseThrow();
    assertEquals(Duration.ofSeconds(40), r.retryAfter(), "until a minute after the first failure");
    assertEquals(40, r.retryAfterSeconds());
    assertEquals("3 failed logins for 'alice' within 1m", r.reason());
    assertTrue(admitted(f, "10.0.0.4", "bob"), "another user from the same address is checked");
    advance(Duration.ofSeconds(39));
    assertTrue(f.begin("10.0.0.1", "alice").refusal().isPresent(), "still within the window");
    advance(Duration.ofSeconds(1));
    assertTrue(admitted(f, "10.0.0.1", "alice"), "the window is over");
    assertEquals(0, f.failures("user:alice"));
  }

  @Test
  void perAddressAnyUserName() {
    FailedLogins f = limiter(3, 100);
    fail(f, "10.0.0.1", "a");
    fail(f, "10.0.0.1", "b");
    fail(f, "10.0.0.1", "c");
    FailedLogins.Refusal r = f.begin("10.0.0.1", "alice").refusal().orElseThrow();
    assertEquals("3 failed logins from 10.0.0.1 within 1m", r.reason());
    assertTrue(admitted(f, "10.0.0.2", "alice"), "another address is checked");
    assertEquals(0, f.failures("user:alice"), "a refused attempt counts for nobody");
    advance(Duration.ofMinutes(1));
    assertTrue(admitted(f, "10.0.0.1", "alice"));
  }

  @Test
  void successfulLoginsDoNotCountNorReset() {
    FailedLogins f = limiter(2, 2);
    for (int i = 0; i < 1000; i++) {
      assertTrue(admitted(f, "10.0.0.1", "alice"), "success " + i);
    }
    assertEquals(0, f.failures("address:10.0.0.1"));
    fail(f, "10.0.0.1", "alice");
    assertTrue(admitted(f, "10.0.0.1", "alice"), "one failure of two");
    assertEquals(1, f.failures("user:alice"), "a success does not wipe failures out");
    fail(f, "10.0.0.1", "alice");
    assertTrue(f.begin("10.0.0.1", "alice").refusal().isPresent());
  }

  @Test
  void afterAFailureChecksUnderWayCountSoAParallelBurstCannotRunMoreThanTheLimit() {
    FailedLogins f = limiter(100, 3);
    // No failure yet: parallel logins of one client are not held back.
    FailedLogins.Attempt first = f.begin("x", "alice").attempt().orElseThrow();
    FailedLogins.Attempt second = f.begin("x", "alice").attempt().orElseThrow();
    FailedLogins.Attempt third = f.begin("x", "alice").attempt().orElseThrow();
    FailedLogins.Attempt fourth = f.begin("x", "alice").attempt().orElseThrow();
    first.failed();
    first.failed();
    assertEquals(1, f.failures("user:alice"), "an attempt counts once");
    FailedLogins.Refusal r = f.begin("x", "alice").refusal().orElseThrow();
    assertEquals(Duration.ofSeconds(1), r.retryAfter(), "1 failed + 3 under way");
    second.ended();
    third.ended();
    FailedLogins.Attempt fifth = f.begin("x", "alice").attempt().orElseThrow();
    fourth.failed();
    fifth.failed();
    assertEquals(3, f.failures("user:alice"));
    assertEquals(Duration.ofMinutes(1), f.begin("x", "alice").refusal().orElseThrow().retryAfter());
  }

  @Test
  void theOidcUserNameCountsPerAddressOnly() {
    FailedLogins f = limiter(100, 2);
    for (int i = 0; i < 5; i++) {
      fail(f, "10.0.0." + i, Authenticator.OIDC_USER);
    }
    assertTrue(admitted(f, "10.0.0.9", Authenticator.OIDC_USER), "one CI job cannot lock out all");
    assertEquals(1, f.failures("address:10.0.0.1"));
  }

  @Test
  void overLongNamesAreKeptShort() {
    FailedLogins f = limiter(100, 1);
    String name = "x".repeat(10_000);
    fail(f, "a", name);
    assertTrue(f.begin("b", name + "y").refusal().isPresent(), "the same first 256 characters");
    assertEquals(1, f.failures("user:" + "x".repeat(FailedLogins.MAX_NAME)));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({"PT1M, 1m", "PT2H, 2h", "PT90S, 90s", "PT1S, 1s"})
  void windowsAreDescribedAsConfigured(Duration window, String text) {
    assertEquals(text, FailedLogins.describe(window));
  }
}
