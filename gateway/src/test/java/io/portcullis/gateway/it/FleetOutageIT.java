package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped under a running fleet: the replicas stay ready, so HAProxy keeps both (were
 * {@code /readyz} to follow the database, it would take every replica out at once), and what needs
 * no write to the shared state keeps serving through HAProxy: a warm pull, a cold pull, a push (the
 * upload key was read at start). The deny side of an outage (new first-seen pins, robots) is the
 * shared-state wiring's to test.
 */
class FleetOutageIT extends FleetOverOrigin {
  /** Three rounds of HAProxy's health checks ({@code inter 2s}, {@code fall 2}) and more. */
  private static final Duration WATCH = Duration.ofSeconds(8);

  @Test
  void withTheDatabaseDownHaproxyKeepsBothReplicasAndPullsAndPushesGoOn() throws Exception {
    OciLayout warm = images.build(ImageSpec.builder().layers(2, 64 * 1024).seed(1531).build());
    OciLayout cold = images.build(ImageSpec.builder().layers(2, 64 * 1024).seed(1532).build());
    OciLayout pushed = images.build(ImageSpec.builder().layers(2, 64 * 1024).seed(1533).build());
    images.push(warm, origin.ref("team/warm:v1"));
    images.push(cold, origin.ref("team/cold:v1"));
    skopeo.copy(fleet.ref("team/warm:v1"), "dir:" + dir.resolve("warm-0")).orThrow();

    fleet.postgres().stop();
    try {
      // not a wait for something to happen: a watch that nothing does (no replica taken out)
      long until = System.nanoTime() + WATCH.toNanos();
      int round = 0;
      while (System.nanoTime() < until) {
        assertEquals(
            200,
            Http.get(fleet.haproxy().url("fleet-ready") + "/ready").statusCode(),
            "HAProxy counts both replicas up with the database down" + fleet.haproxy().tail());
        Path out = dir.resolve("warm-" + ++round);
        skopeo.copy(fleet.ref("team/warm:v1"), "dir:" + out).orThrow();
        assertEquals(warm.digest(), DirImage.read(out).manifestDigest());
      }
      skopeo.copy(fleet.ref("team/cold:v1"), "dir:" + dir.resolve("cold")).orThrow();
      assertEquals(cold.digest(), DirImage.read(dir.resolve("cold")).manifestDigest());
      images.push(pushed, fleet.ref("team/pushed:v1"));
      String direct =
          skopeo.inspect(origin.ref("team/pushed:v1")).orThrow().json().get("Digest").asText();
      assertEquals(pushed.digest(), direct);
    } finally {
      fleet.postgres().startAgain();
    }
  }
}
