package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.portcullis.gateway.config.RedirectConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Future;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/**
 * Which redirect targets an upstream may send the gateway to: every rule, and the spellings of an
 * address that try to slip past them. Names resolve from a fixed table (no test reaches DNS);
 * literals as the JDK reads them.
 */
class RedirectGuardTest {
  private static final Map<String, List<String>> NAMES =
      Map.of(
          "registry.example.com", List.of("203.0.113.10"),
          "private.example.com", List.of("203.0.113.20"),
          "cdn.example.net", List.of("198.51.100.7"),
          "production.cloudflare.docker.com", List.of("198.51.100.8"),
          "rebind.example.net", List.of("198.51.100.9", "127.0.0.1"),
          "metadata.example.net", List.of("169.254.169.254"),
          "alias.example.net", List.of("203.0.113.20"),
          "localhost", List.of("127.0.0.1"));

  private static Future<List<InetAddress>> resolve(String host) {
    try {
      List<String> named = NAMES.get(host);
      if (named == null) {
        // only literals get here: the JDK reads them without a lookup, or refuses them
        if (!host.matches("[0-9a-fA-F.:]+")) {
          throw new UnknownHostException(host);
        }
        return Future.succeededFuture(List.of(InetAddress.getAllByName(host)));
      }
      List<InetAddress> out = new java.util.ArrayList<>();
      for (String a : named) {
        out.add(InetAddress.getByName(a));
      }
      return Future.succeededFuture(out);
    } catch (UnknownHostException e) {
      return Future.failedFuture(e);
    }
  }

  private static UpstreamConfig upstream(String url, Optional<List<String>> allowHosts) {
    return new UpstreamConfig(
        "hostile",
        URI.create(url),
        "hostile",
        Optional.empty(),
        Optional.empty(),
        false,
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        Duration.ZERO,
        false,
        new RedirectConfig(
            allowHosts,
            List.of(
                URI.create("https://private.example.com"), URI.create("http://127.0.0.1:5001"))));
  }

  private static Future<RedirectGuard.Hop> check(String upstream, String target) {
    return new RedirectGuard(upstream(upstream, Optional.empty()), RedirectGuardTest::resolve)
        .check(URI.create(target));
  }

  private static String refusal(Future<RedirectGuard.Hop> hop) {
    assertTrue(hop.failed(), "followed: " + hop.result());
    OciException e = assertInstanceOf(OciException.class, hop.cause());
    assertEquals(502, e.status());
    return e.getMessage();
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    // the rules
    "https://registry.example.com, http://cdn.example.net/blob, plain-http",
    "https://registry.example.com, ftp://cdn.example.net/blob, not https",
    "https://registry.example.com, file:///etc/passwd, not https",
    "https://registry.example.com, https://private.example.com/v2/p/blobs/x, another upstream",
    "https://registry.example.com, https://PRIVATE.example.com./v2/p/blobs/x, another upstream",
    "https://registry.example.com, https://private.example.com:443/v2/, another upstream",
    "https://registry.example.com, https://alias.example.net/v2/, another upstream",
    "https://registry.example.com, https://localhost/, loopback",
    "https://registry.example.com, https://LOCALHOST./, loopback",
    "https://registry.example.com, https://127.0.0.1:8080/admin, loopback",
    "https://registry.example.com, https://2130706433/, loopback",
    "https://registry.example.com, https://[::1]/, loopback",
    "https://registry.example.com, https://[::ffff:127.0.0.1]/, loopback",
    "https://registry.example.com, https://[::ffff:7f00:1]/, loopback",
    "https://registry.example.com, https://169.254.169.254/latest/meta-data/, cloud metadata",
    "https://registry.example.com, https://metadata.example.net/, cloud metadata",
    "https://registry.example.com, https://[fd00:ec2::254]/, cloud metadata",
    "https://registry.example.com, https://10.0.0.5/, private",
    "https://registry.example.com, https://172.16.3.4/, private",
    "https://registry.example.com, https://192.168.0.1/, private",
    "https://registry.example.com, https://[fd12::1]/, private",
    "https://registry.example.com, https://[fe80::1]/, link-local",
    "https://registry.example.com, https://0.0.0.0/, unspecified",
    "https://registry.example.com, https://[::]/, unspecified",
    "https://registry.example.com, https://224.0.0.1/, multicast",
    // one address of several is enough to refuse: the connection could go to any of them
    "https://registry.example.com, https://rebind.example.net/, loopback",
    // forms the JDK will not read as an address are not followed either
    "https://registry.example.com, https://0x7f.1/, without a host",
    "https://registry.example.com, https://127.1/, without a host",
    "https://registry.example.com, https://017700000001/, cannot be resolved",
    "https://registry.example.com, https://unknown.invalid/, cannot be resolved",
    // a loopback upstream may redirect to loopback, but not to another upstream's port there
    "http://127.0.0.1:5002, http://127.0.0.1:5001/v2/p/blobs/x, another upstream",
    "http://127.0.0.1:5002, http://localhost:5001/v2/p/blobs/x, another upstream",
    "http://127.0.0.1:5002, http://[::ffff:127.0.0.1]:5001/v2/, another upstream",
    "http://127.0.0.1:5002, http://169.254.169.254/, cloud metadata",
    "http://127.0.0.1:5002, http://10.1.1.1/, private",
  })
  void refuses(String upstream, String target, String why) {
    String message = refusal(check(upstream, target));
    assertTrue(message.contains("upstream 'hostile' redirected to"), message);
    assertTrue(message.contains(why), message);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "https://registry.example.com, https://cdn.example.net/blob?X-Amz-Signature=s, 198.51.100.7",
    "https://registry.example.com, https://registry.example.com/v2/other, 203.0.113.10",
    "https://registry.example.com, https://8.8.8.8/x, 8.8.8.8",
    "http://127.0.0.1:5002, http://127.0.0.1:6000/cdn/blob, 127.0.0.1",
    "http://127.0.0.1:5002, http://localhost:6000/cdn/blob, 127.0.0.1",
    "http://127.0.0.1:5002, https://cdn.example.net/blob, 198.51.100.7",
  })
  void follows(String upstream, String target, String address) {
    Future<RedirectGuard.Hop> hop = check(upstream, target);
    assertTrue(hop.succeeded(), () -> hop.cause().getMessage());
    assertEquals(address, hop.result().server().host());
    assertEquals(URI.create(target), hop.result().target());
  }

  @Test
  void onlyTheOwnOriginKeepsCredentials() {
    assertTrue(
        check("https://registry.example.com", "https://Registry.Example.com:443/v2/x")
            .result()
            .ownOrigin());
    assertFalse(
        check("https://registry.example.com", "https://cdn.example.net/").result().ownOrigin());
    assertFalse(check("http://127.0.0.1:5002", "http://127.0.0.1:6000/").result().ownOrigin());
  }

  @Test
  void anAllowListFollowsOnlyItsHostsAndTheOwnOrigin() {
    RedirectGuard guard =
        new RedirectGuard(
            upstream(
                "https://registry.example.com", Optional.of(List.of("*.cloudflare.docker.com"))),
            RedirectGuardTest::resolve);
    assertTrue(guard.check(URI.create("https://production.cloudflare.docker.com/x")).succeeded());
    assertTrue(guard.check(URI.create("https://registry.example.com/v2/y")).succeeded());
    assertTrue(
        refusal(guard.check(URI.create("https://cdn.example.net/x")))
            .contains("not in its redirects.allowHosts"));
  }

  @Test
  void theLogLineNamesHostAndPathButNeverTheQueryOrUserInfo() {
    Logger logger = (Logger) LoggerFactory.getLogger(RedirectGuard.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    try {
      refusal(
          check(
              "https://registry.example.com",
              "https://user:hunter2@10.0.0.5/bucket/blob?X-Amz-Signature=secret-token"));
      assertEquals(1, lines.list.size());
      String line = lines.list.get(0).getFormattedMessage();
      assertEquals(
          "upstream hostile redirect refused: https://10.0.0.5:443/bucket/blob is a private"
              + " address",
          line);
    } finally {
      logger.detachAppender(lines);
    }
  }

  @Test
  void theRefusalNeverCarriesTheQueryString() {
    String message =
        refusal(
            check(
                "https://registry.example.com",
                "https://10.0.0.5/blob?X-Amz-Signature=secret-token"));
    assertFalse(message.contains("secret-token"), message);
  }

  @Test
  void aRedirectLooksUpItsTargetEachTimeButTheConfiguredHostsOnlyOnce() {
    java.util.Map<String, Integer> lookups = new java.util.concurrent.ConcurrentHashMap<>();
    RedirectGuard guard =
        new RedirectGuard(
            upstream("https://registry.example.com", Optional.empty()),
            host -> {
              lookups.merge(host, 1, Integer::sum);
              return resolve(host);
            });
    for (int i = 0; i < 3; i++) {
      assertTrue(guard.check(URI.create("https://cdn.example.net/blob")).succeeded());
    }
    assertEquals(3, lookups.get("cdn.example.net"), "the target: the address connected to");
    assertEquals(1, lookups.get("registry.example.com"));
    assertEquals(1, lookups.get("private.example.com"));
    // still refused from the kept addresses
    assertTrue(
        refusal(guard.check(URI.create("https://alias.example.net/v2/")))
            .contains("another upstream"));
    assertEquals(1, lookups.get("private.example.com"));
  }

  @Test
  void aConfiguredHostThatDidNotResolveIsLookedUpAgain() {
    java.util.Map<String, Integer> lookups = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicBoolean dnsDown =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    RedirectGuard guard =
        new RedirectGuard(
            upstream("https://registry.example.com", Optional.empty()),
            host -> {
              lookups.merge(host, 1, Integer::sum);
              return host.equals("private.example.com") && dnsDown.get()
                  ? Future.failedFuture(new java.net.UnknownHostException(host))
                  : resolve(host);
            });
    guard.check(URI.create("https://cdn.example.net/blob"));
    dnsDown.set(false);
    assertTrue(
        refusal(guard.check(URI.create("https://alias.example.net/v2/")))
            .contains("another upstream"),
        "the other upstream's address, found now, is compared with");
    assertEquals(2, lookups.get("private.example.com"));
  }
}
