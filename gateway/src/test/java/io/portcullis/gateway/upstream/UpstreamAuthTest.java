package io.portcullis.gateway.upstream;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.benmanes.caffeine.cache.AsyncCache;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The upstream token cache: bounded by what the tokens weigh, not by how many there are. */
class UpstreamAuthTest {

  @Test
  void largeTokensForManyRepositoriesStayWithinTheCachesWeight() {
    // A token service behind an upstream an attacker runs may send 64 KiB tokens; 10,000 scope
    // sets of them (one per repository asked about) were 640 MiB when the cache counted entries.
    long bound = 1024 * 1024;
    AsyncCache<String, UpstreamAuth.Token> tokens = UpstreamAuth.tokenCache(bound);
    String large = "t".repeat(64 * 1024 - 64);
    for (int i = 0; i < 200; i++) {
      tokens.put(
          "repository:team/r" + i + ":pull",
          CompletableFuture.completedFuture(new UpstreamAuth.Token(large, Duration.ofHours(1))));
    }
    tokens.synchronous().cleanUp();
    long kept = tokens.synchronous().estimatedSize();
    assertTrue(kept <= bound / large.length(), kept + " tokens of 64 KiB kept within 1 MiB");
    assertTrue(kept > 0);
  }
}
