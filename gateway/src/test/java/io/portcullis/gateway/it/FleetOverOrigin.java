package io.portcullis.gateway.it;

import io.portcullis.testkit.RegistryProcess;
import io.portcullis.testkit.RequiredTools;
import io.portcullis.testkit.Skopeo;
import io.portcullis.testkit.Teardown;
import io.portcullis.testkit.TestImages;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A test class's own {@link Fleet} in front of its own docker-registry origin, with skopeo and an
 * image builder, started once for the class and closed in reverse. Instance fields under one
 * instance per class rather than static ones, which every subclass would share: the integration
 * tests run classes in parallel.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FleetOverOrigin {
  /** The class's temporary directory, given to {@link #startFleet}: a field would be too late. */
  Path dir;

  RegistryProcess origin;
  Fleet fleet;
  Skopeo skopeo;
  TestImages images;

  /** More top-level YAML for every replica, written before anything starts; none by default. */
  String extraConfig() throws Exception {
    return "";
  }

  /** What the replicas proxy: the origin itself, unless a test puts a hop in front of it. */
  String upstream() throws Exception {
    return origin.url();
  }

  /** The hop {@link #upstream()} started, closed between the fleet and the origin; none here. */
  AutoCloseable hop() {
    return null;
  }

  @BeforeAll
  void startFleet(@TempDir Path dir) throws Exception {
    this.dir = dir;
    RequiredTools.check("docker-registry", "skopeo", "umoci", "haproxy");
    String extra = extraConfig();
    origin = RegistryProcess.start();
    fleet = Fleet.builder(dir.resolve("fleet")).upstream(upstream()).extra(extra).start();
    skopeo = Skopeo.create();
    images = new TestImages(skopeo);
  }

  @AfterAll
  void stopFleet() throws Exception {
    Teardown.closeAll(images, skopeo, fleet, hop(), origin);
  }
}
