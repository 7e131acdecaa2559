package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.policy.SigstoreTrustStore;
import io.portcullis.core.sigstore.TrustedRoot;
import io.portcullis.core.sigstore.TrustedRootRefresh;
import io.portcullis.core.sigstore.TrustedRootSource;
import io.portcullis.gateway.config.GatewayConfig.PolicyConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A refreshed Sigstore trusted root is a new policy revision (so every image is decided again under
 * it), and a refresh that fails keeps the last verified root and the revision in force.
 */
class SigstoreRootRefresherTest {
  private static final String POLICY =
      """
      version: 1
      trustStores:
        public-good: {type: sigstore}
        mirror: {type: sigstore, tuf: {url: 'https://tuf.mirror.example'}}
      policies:
        - name: upstream
          scopes: ["**"]
          signatures:
            anyOf:
              - type: cosign
                trustStore: public-good
                identities: [{issuer: https://token.actions.githubusercontent.com, subjectRegExp: '^https://github\\.com/myorg/'}]
      """;

  /** A source whose next refresh answers {@code next}. */
  private static final class FakeSource implements TrustedRootSource {
    volatile TrustedRoot current = TrustedRootSource.shipped().current();
    volatile TrustedRootRefresh.Outcome next = TrustedRootRefresh.Outcome.CURRENT;
    volatile TrustedRoot nextRoot = current;

    @Override
    public TrustedRoot current() {
      return current;
    }

    @Override
    public String description() {
      return "fake";
    }

    @Override
    public TrustedRootRefresh refresh() {
      if (next == TrustedRootRefresh.Outcome.UPDATED) {
        current = nextRoot;
      }
      return new TrustedRootRefresh(next, next.name(), current);
    }
  }

  @TempDir Path dir;
  private final FakeSource publicGood = new FakeSource();
  private final List<String> made = new ArrayList<>();
  private PolicyHolder holder;
  private SigstoreRootRefresher refresher;

  @BeforeEach
  void load() throws Exception {
    Path policy = dir.resolve("policy.yaml");
    Files.writeString(policy, POLICY);
    refresher =
        new SigstoreRootRefresher(
            (store, tuf) -> {
              made.add(store + " " + tuf.map(t -> t.url()).orElse("public-good"));
              return store.equals("public-good") ? publicGood : new FakeSource();
            });
    holder =
        new PolicyHolder(new PolicyConfig(policy, Duration.ofSeconds(1)), Optional.of(refresher));
  }

  @Test
  void aSourcePerStoreWithItsOwnSettings() {
    assertEquals(List.of("public-good public-good", "mirror https://tuf.mirror.example"), made);
    SigstoreTrustStore store =
        (SigstoreTrustStore) holder.current().policy().trustStore("public-good");
    assertSame(publicGood.current, store.root());
  }

  /** A pinned TUF root replaced in place (a re-pin) starts a new source, not the old one's root. */
  @Test
  void aPinnedRootReplacedInPlaceStartsANewSource() throws Exception {
    Path pinned = dir.resolve("root.json");
    Files.writeString(pinned, "{\"pinned\": 1}");
    var settings =
        Optional.of(
            new SigstoreTrustStore.TufSettings("https://tuf.private.example", Optional.of(pinned)));
    refresher.current("private", settings);
    refresher.current("private", settings);
    assertEquals(1, made.stream().filter(m -> m.startsWith("private ")).count(), made::toString);
    Files.writeString(pinned, "{\"pinned\": 2}");
    refresher.current("private", settings);
    assertEquals(2, made.stream().filter(m -> m.startsWith("private ")).count(), made::toString);
  }

  @Test
  void aRefreshedRootIsANewRevision() {
    String before = holder.current().policy().revision();
    assertFalse(refresher.refreshAll(), "the root is current");
    assertFalse(holder.reloadForNewRoot(), "same root, same revision");

    publicGood.next = TrustedRootRefresh.Outcome.UPDATED;
    publicGood.nextRoot = TrustedRootSource.staging().current();
    assertTrue(refresher.refreshAll());
    assertTrue(holder.reloadForNewRoot());
    assertNotEquals(before, holder.current().policy().revision());
    SigstoreTrustStore store =
        (SigstoreTrustStore) holder.current().policy().trustStore("public-good");
    assertSame(publicGood.nextRoot, store.root(), "the evaluator verifies with the new root");
  }

  @Test
  void aStoreRemovedFromThePolicyIsNoLongerRefreshed() throws Exception {
    Files.writeString(
        dir.resolve("policy.yaml"),
        POLICY.replace(
            "  mirror: {type: sigstore, tuf: {url: 'https://tuf.mirror.example'}}\n", ""));
    assertEquals(java.util.Set.of("public-good", "mirror"), refresher.stores());
    assertTrue(holder.reloadIfChanged());
    assertFalse(holder.current().policy().trustStores().containsKey("mirror"));
    assertEquals(java.util.Set.of("public-good"), refresher.stores(), "mirror not refreshed");
  }

  @Test
  void aFailedRefreshKeepsTheRootAndTheRevision() {
    String before = holder.current().policy().revision();
    for (TrustedRootRefresh.Outcome failed :
        List.of(TrustedRootRefresh.Outcome.UNAVAILABLE, TrustedRootRefresh.Outcome.REFUSED)) {
      publicGood.next = failed;
      assertFalse(refresher.refreshAll(), failed.name());
      assertFalse(holder.reloadForNewRoot());
      assertEquals(before, holder.current().policy().revision());
    }
  }
}
