package io.portcullis.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The {@code cache:} section and the per-upstream {@code cache.tagTtl}. */
class CacheConfigTest {
  private static final String UP = "upstreams: [{name: a, url: 'http://x'}]\n";

  @Test
  void defaultsToTwentyGibUnderTheDataDirWithAFiveMinuteTagTtl() {
    GatewayConfig c = parse("dataDir: /srv/p\n" + UP);
    assertTrue(c.cache().enabled());
    assertEquals(Path.of("/srv/p/cache"), c.cache().dir());
    assertEquals(20L << 30, c.cache().maxSize());
    assertEquals(256L << 20, c.cache().manifestMaxSize());
    assertTrue(c.cache().directWrites());
    assertEquals(Duration.ofMinutes(5), c.upstreams().get(0).tagTtl());
  }

  @Test
  void readsTheDocumentedShape() {
    GatewayConfig c =
        parse(
            "cache: {dir: /var/cache/p, maxSize: 512MiB, manifestMaxSize: 64MiB}\n"
                + "upstreams: [{name: a, url: 'http://x', cache: {tagTtl: 30s}}]\n");
    assertEquals(Path.of("/var/cache/p"), c.cache().dir());
    assertEquals(512L << 20, c.cache().maxSize());
    assertEquals(64L << 20, c.cache().manifestMaxSize());
    assertEquals(Duration.ofSeconds(30), c.upstreams().get(0).tagTtl());
    assertFalse(parse("cache: {enabled: false}\n" + UP).cache().enabled());
    assertFalse(parse("cache: {directWrites: false}\n" + UP).cache().directWrites());
  }

  @ParameterizedTest
  @CsvSource({"1024, 1024", "2KiB, 2048", "3MB, 3000000", "1G, 1073741824", "20GiB, 21474836480"})
  void sizes(String text, long bytes) {
    assertEquals(bytes, parse("cache: {maxSize: " + text + "}\n" + UP).cache().maxSize());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "cache: {maxSize: lots} | cache.maxSize: 'lots' is not a size",
        "cache: {ttl: 5m} | cache.ttl: unknown key 'ttl' (known here: dir, directWrites,"
            + " enabled, manifestMaxSize, maxSize)",
        "cache: {manifestMaxSize: lots} | cache.manifestMaxSize: 'lots' is not a size",
        "cache: {manifestMaxSize: 4MiB} | cache.manifestMaxSize: '4MiB' is too small; it must"
            + " hold at least two of the largest manifests (8MiB)",
      })
  void refusesBadCacheConfig(String yaml, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(yaml + "\n" + UP));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }

  @Test
  void refusesABadTagTtl() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> parse("upstreams: [{name: a, url: 'http://x', cache: {tagTtl: soon}}]"));
    assertTrue(e.getMessage().startsWith("upstreams[0].cache.tagTtl:"), e.getMessage());
  }

  private static GatewayConfig parse(String yaml) {
    return ConfigLoader.parse(yaml.getBytes(StandardCharsets.UTF_8), "test");
  }
}
