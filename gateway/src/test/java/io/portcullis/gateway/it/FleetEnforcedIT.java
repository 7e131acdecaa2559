package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.testkit.CommandResult;
import io.portcullis.testkit.DirImage;
import io.portcullis.testkit.ImageSpec;
import io.portcullis.testkit.OciLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An enforced cold pull through HAProxy: the manifest is hashed on its path and the config blob on
 * its digest, so they land on different replicas. The replica that serves the blob never decided on
 * the manifest, and must learn the approval (and which blobs it covers) from the shared state.
 */
class FleetEnforcedIT extends FleetOverOrigin {
  private static final String POLICY =
      """
      version: 1
      trustStores:
        release-keys: {type: cosign, keys: [%s]}
      policies:
        - name: signed-releases
          scopes: ["prod/**"]
          mode: enforce
          signatures: {anyOf: [{type: cosign, trustStore: release-keys}]}
      """;

  /** Enough images that, whatever the hashing, one has its manifest and config apart. */
  private static final int IMAGES = 6;

  @Override
  String extraConfig() throws Exception {
    Files.writeString(dir.resolve("pw"), "release-password\n");
    Signer.keygen(dir, "release");
    Path policy =
        Files.writeString(dir.resolve("policy.yaml"), POLICY.formatted(dir.resolve("release.pub")));
    return "policy: {file: " + policy + "}\n";
  }

  /**
   * The case: the replica serving a blob is not the one that approved its manifest. Without
   * shared approvals that replica answers 403 (checked with them disabled).
   */
  @Test
  void anImageApprovedThroughOneReplicaIsServedWholeThroughTheOther() throws Exception {
    List<String> split = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < IMAGES; i++) {
      String repo = "prod/app-" + i;
      OciLayout image =
          images.build(ImageSpec.builder().layers(1, 32 * 1024).seed(1520 + i).build());
      images.push(image, origin.ref(repo + ":v1"));
      Signer.sign(dir, "release", origin, repo + ":v1");
      JsonNode manifest = new ObjectMapper().readTree(image.blob(image.digest()).toFile());
      List<String> blobs = new ArrayList<>(List.of(manifest.at("/config/digest").asText()));
      manifest.path("layers").forEach(l -> blobs.add(l.path("digest").asText()));

      Path out = dir.resolve("pull-" + i);
      CommandResult pull = skopeo.copy(fleet.ref(repo + ":v1"), "dir:" + out);
      int manifestOn = servedBy("GET /v2/" + repo + "/manifests/v1 ");
      for (String blob : blobs) {
        int blobOn = servedBy("GET /v2/" + repo + "/blobs/" + blob + " ");
        if (manifestOn >= 0 && blobOn >= 0 && manifestOn != blobOn) {
          split.add(repo + " (manifest on replica " + (manifestOn + 1) + ", " + blob + " not)");
          break;
        }
      }
      if (pull.ok()) {
        assertEquals(image.digest(), DirImage.read(out).manifestDigest());
      } else {
        failures.add(repo + ": " + pull.describe());
      }
    }
    assertFalse(split.isEmpty(), "an image with its manifest and config on different replicas");
    assertTrue(
        failures.isEmpty(), "every signed image pulls whole, split ones " + split + failures);
  }

  /**
   * The replica whose access log has a line with {@code methodAndPath}, or -1 (a blob the client
   * never asked for, after an earlier one failed).
   */
  private int servedBy(String methodAndPath) throws Exception {
    return fleet.replicaThatLogged(
        Pattern.compile(Pattern.quote(methodAndPath)), Duration.ofMillis(500));
  }
}
