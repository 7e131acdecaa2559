package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.oci.RepositoryName;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.errors.OciErrorCode;
import io.portcullis.gateway.errors.OciException;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How an upstream's refusal or failure reaches a client, the same whether the manifest was fetched
 * as a value ({@link DirectArtifacts}) or relayed: its registry error kept below 500.
 */
class UpstreamErrorsTest {
  private static Vertx vertx;
  private static UpstreamRoute route;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    UpstreamConfig config =
        ConfigLoader.parse(
                "upstreams: [{name: hub, url: 'http://127.0.0.1:1'}]"
                    .getBytes(StandardCharsets.UTF_8),
                "test")
            .upstreams()
            .get(0);
    route =
        new UpstreamRoute(
            new Upstream(vertx, config), RepositoryName.of("team/app"), "team/app", "team/app");
  }

  @AfterAll
  static void tearDown() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  @ParameterizedTest(name = "[{index}] {0} {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "404 | '' | MANIFEST_UNKNOWN | 404 | manifest unknown to registry",
        "404 | '{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"no such repo\"}]}'"
            + " | NAME_UNKNOWN | 404 | no such repo",
        "400 | '{\"errors\":[{\"code\":\"SOMETHING_NEW\",\"message\":\"odd\"}]}' | UNKNOWN | 400 | odd",
        "401 | '{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}' | DENIED | 403 | refused access to team/app",
        "403 | '' | DENIED | 403 | upstream 'hub' denied the request",
        "429 | '' | TOOMANYREQUESTS | 429 | rate-limiting the gateway",
        "500 | '{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"boom\"}]}'"
            + " | UNAVAILABLE | 502 | failed with HTTP 500",
        "418 | 'not json' | UNKNOWN | 418 | answered HTTP 418",
        "206 | '' | UNAVAILABLE | 502 | answered HTTP 206",
        "304 | '{\"errors\":[{\"code\":\"DENIED\",\"message\":\"x\"}]}' | UNAVAILABLE | 502 | HTTP 304",
      })
  void mapsAnUpstreamAnswer(int status, String body, String code, int sent, String message) {
    OciException e =
        UpstreamErrors.of(status, "7", Buffer.buffer(body), OciErrorCode.MANIFEST_UNKNOWN, route);
    assertEquals(OciErrorCode.valueOf(code), e.code());
    assertEquals(sent, e.status());
    assertTrue(e.getMessage().contains(message), e.getMessage());
    if (status == 429) {
      assertEquals("7", e.headers().get("Retry-After"), "the upstream's Retry-After is kept");
    }
    assertEquals(status >= 500 || status == 429, UpstreamErrors.isOutage(status));
  }
}
