package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.gateway.testing.FaultyUpstream;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A replica of the fleet is killed ({@code kill -9}) while it streams a blob to a client: HAProxy
 * takes it out and the client's retry through HAProxy completes on the other replica. The blob
 * trickles from a fault hop in front of the origin, so the kill lands mid-transfer.
 */
class FleetFailoverIT extends FleetOverOrigin {
  private static final Duration KILL_WINDOW = Duration.ofSeconds(30);

  FaultyUpstream hop;

  @Override
  String upstream() {
    hop = FaultyUpstream.start(origin);
    return hop.url();
  }

  @Override
  AutoCloseable hop() {
    return hop;
  }

  @Test
  void aReplicaKilledDuringAPullLeavesTheRetryToTheOther() throws Exception {
    // 256 KiB: half at once, then 4 KiB every 200 ms, about 6 s of streaming to kill in
    OciLayout image = images.build(ImageSpec.builder().layers(1, 256 * 1024).seed(1511).build());
    images.push(image, origin.ref("team/failover:v1"));
    String layer =
        new ObjectMapper()
            .readTree(image.blob(image.digest()).toFile())
            .at("/layers/0/digest")
            .asText();
    String layerPath = "/v2/team/failover/blobs/" + layer;
    // the replica the layer hashes to: a HEAD takes the same route as the GET
    Http.send("HEAD", fleet.url() + layerPath, null, "X-Request-Id", "which-replica");
    int victim = fleet.replicaThatServed("which-replica");
    assertTrue(victim >= 0, "the HEAD was served");
    int survivor = 1 - victim;

    hop.fault(FaultyUpstream.Fault.TRICKLE);
    ExecutorService client = Executors.newSingleThreadExecutor();
    try {
      Future<CommandResult> first =
          client.submit(
              () -> skopeo.copy(fleet.ref("team/failover:v1"), "dir:" + dir.resolve("first")));
      awaitLayerFetchStarted(layerPath, first);
      fleet.replica(victim).kill();
      hop.fault(FaultyUpstream.Fault.NONE);
      CommandResult interrupted = first.get(2, TimeUnit.MINUTES);
      assertFalse(fleet.replica(victim).isAlive(), "killed");

      // the client tries again, through the same HAProxy
      Path second = dir.resolve("second");
      skopeo.copy(fleet.ref("team/failover:v1"), "dir:" + second).orThrow();
      DirImage got = DirImage.read(second); // every blob checked against its digest
      assertEquals(image.digest(), got.manifestDigest(), "first pull: " + interrupted.describe());
      assertTrue(got.blobs().containsKey(layer), "the layer arrived whole");
      assertEquals(
          survivor,
          fleet.replicaThatLogged(
              Pattern.compile(Pattern.quote("GET " + layerPath + " 200")), Duration.ofSeconds(5)),
          "the other replica served the layer");
    } finally {
      client.shutdownNow();
    }
  }

  /** Until the victim's upstream read of the layer is under way (the trickle has begun). */
  private void awaitLayerFetchStarted(String layerPath, Future<CommandResult> pull)
      throws Exception {
    long deadline = System.nanoTime() + KILL_WINDOW.toNanos();
    while (System.nanoTime() < deadline) {
      if (hop.received().stream()
          .anyMatch(r -> r.method().equals("GET") && r.path().equals(layerPath))) {
        return;
      }
      assertFalse(pull.isDone(), "the pull ended before the layer was fetched");
      Thread.sleep(20);
    }
    throw new AssertionError("the layer was not fetched within " + KILL_WINDOW);
  }
}
