package io.portcullis.gateway.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What served manifests let through: an approved manifest's content, a trust artifact's small
 * trust-typed layers only (never content), and nothing at all from a manifest that lists too much.
 */
class GrantsTest {
  private static final String REV = "sha256:r1";
  private static final String REPO = "team/app";

  @TempDir Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Grants grants() {
    return new Grants(new Approvals(() -> REV), new IndexChildren(vertx, dir.resolve("r.json")));
  }

  /** A replica's grants whose approvals are shared through {@code fleet}. */
  private Grants replica(MemoryFleetState fleet, String name) {
    return new Grants(
        new Approvals(() -> REV),
        new IndexChildren(vertx, dir.resolve(name + ".json")),
        Optional.of(new FleetApprovals(fleet, vertx)));
  }

  @Test
  void approvalsMadeOnOneReplicaAreFoundOnAnotherAndThenKnownThere() {
    MemoryFleetState fleet = new MemoryFleetState();
    Grants a = replica(fleet, "a");
    Grants b = replica(fleet, "b");
    Fetched image = manifest(layers(MediaTypes.OCI_LAYER_GZIP, 3, 1000));
    assertEquals(Optional.empty(), a.content(REV, REPO, true, image).result());
    assertEquals(1, fleet.writes, "one batch for the manifest's listing");
    assertTrue(b.get(REV, REPO, ApprovalsTest.digest(2)).isEmpty(), "not known to B yet");
    assertEquals(
        new Approvals.Content(image.digest().toString()),
        b.find(REV, REPO, ApprovalsTest.digest(2)).result().orElseThrow());
    fleet.down = true;
    assertTrue(b.get(REV, REPO, ApprovalsTest.digest(2)).isPresent(), "kept by B");
    assertTrue(b.find(REV, REPO, ApprovalsTest.digest(2)).result().isPresent());
    assertTrue(b.find(REV, REPO, ApprovalsTest.digest(7)).failed(), "unknown, cannot ask: fails");
    // a warm pull on A writes nothing (and needs nothing of the shared state)
    assertEquals(Optional.empty(), a.content(REV, REPO, true, image).result());
    // under audit no replica gates blobs on approvals: nothing to share, nothing to fail
    Fetched audited = manifest(layers(MediaTypes.OCI_LAYER_GZIP, 2, 500));
    assertEquals(Optional.empty(), a.content(REV, "team/audited", false, audited).result());
  }

  @Test
  void anApprovalThatCannotBeSharedFailsAndIsWrittenOnTheNextPull() {
    MemoryFleetState fleet = new MemoryFleetState();
    Grants a = replica(fleet, "a");
    Fetched image = manifest(layers(MediaTypes.OCI_LAYER_GZIP, 2, 1000));
    fleet.down = true;
    assertTrue(a.content(REV, REPO, true, image).failed(), "the manifest is not answered");
    fleet.down = false;
    assertEquals(Optional.empty(), a.content(REV, REPO, true, image).result());
    assertEquals(1, fleet.writes, "written once the shared state is back");
    assertEquals(2, fleet.approvals.size());
  }

  @Test
  void aTrustArtifactsLayersAreSharedOnceAsArtifacts() {
    MemoryFleetState fleet = new MemoryFleetState();
    Grants a = replica(fleet, "a");
    Grants b = replica(fleet, "b");
    List<Descriptor> layers = new ArrayList<>();
    layers.add(Descriptor.of(SimpleSigningPayload.MEDIA_TYPE, ApprovalsTest.digest(0), 300));
    layers.add(Descriptor.of(SimpleSigningPayload.MEDIA_TYPE, ApprovalsTest.digest(1), 300));
    Fetched sig = manifest(layers);
    assertEquals(Optional.empty(), a.artifact(REV, REPO, true, sig).result());
    assertEquals(Optional.empty(), a.artifact(REV, REPO, true, sig).result());
    assertEquals(1, fleet.writes, "served again: not written again");
    assertEquals(
        new Approvals.Artifact(SimpleSigningPayload.MEDIA_TYPE, 300),
        b.find(REV, REPO, ApprovalsTest.digest(1)).result().orElseThrow());
  }

  @Test
  void anApprovedImageGrantsItsConfigAndLayersAsContent() {
    Grants grants = grants();
    Fetched image = manifest(layers(MediaTypes.OCI_LAYER_GZIP, 3, 1000));
    assertEquals(Optional.empty(), grants.content(REV, REPO, true, image).result());
    for (int i = 0; i < 3; i++) {
      assertTrue(
          grants.get(REV, REPO, ApprovalsTest.digest(i)).orElseThrow()
              instanceof Approvals.Content);
    }
  }

  @Test
  void servingAnApprovedManifestAgainNeitherParsesNorRegrantsIt() {
    Grants grants = grants();
    Fetched image = manifest(layers(MediaTypes.OCI_LAYER_GZIP, 3, 1000));
    assertEquals(Optional.empty(), grants.content(REV, REPO, true, image).result());
    // The same digest again: what it listed is known, so these bytes are not read (a warm pull).
    Fetched other = manifest(layers(MediaTypes.OCI_LAYER_GZIP, 5, 1000));
    Fetched again = new Fetched(other.bytes(), image.mediaType(), image.digest());
    assertEquals(Optional.empty(), grants.content(REV, REPO, true, again).result());
    assertTrue(grants.get(REV, REPO, ApprovalsTest.digest(4)).isEmpty());
    // In another repository it is read and granted.
    assertEquals(Optional.empty(), grants.content(REV, "team/other", true, again).result());
    assertTrue(grants.get(REV, "team/other", ApprovalsTest.digest(4)).isPresent());
  }

  @Test
  void aManifestListingTooMuchApprovesNothing() {
    Grants grants = grants();
    Fetched wide = manifest(layers(MediaTypes.OCI_LAYER_GZIP, Approvals.MAX_LISTED + 1, 10));
    assertEquals(
        Optional.of((Approvals.MAX_LISTED + 1) + " blobs"),
        grants.content(REV, REPO, true, wide).result());
    assertTrue(grants.get(REV, REPO, ApprovalsTest.digest(0)).isEmpty());

    Fetched wideArtifact =
        manifest(layers(SimpleSigningPayload.MEDIA_TYPE, Approvals.MAX_LISTED + 1, 10));
    assertTrue(grants.artifact(REV, REPO, true, wideArtifact).result().isPresent());
    assertTrue(grants.get(REV, REPO, ApprovalsTest.digest(0)).isEmpty());
  }

  @Test
  void aTrustArtifactGrantsOnlyItsSmallTrustTypedLayersAndNeverContent() {
    Grants grants = grants();
    List<Descriptor> layers = new ArrayList<>();
    layers.add(Descriptor.of(SimpleSigningPayload.MEDIA_TYPE, ApprovalsTest.digest(0), 300));
    layers.add(Descriptor.of(MediaTypes.OCI_LAYER_GZIP, ApprovalsTest.digest(1), 300));
    layers.add(
        Descriptor.of(
            SimpleSigningPayload.MEDIA_TYPE,
            ApprovalsTest.digest(2),
            SignatureArtifacts.MAX_LAYER_SIZE + 1L));
    assertEquals(Optional.empty(), grants.artifact(REV, REPO, true, manifest(layers)).result());
    assertEquals(
        new Approvals.Artifact(SimpleSigningPayload.MEDIA_TYPE, 300),
        grants.get(REV, REPO, ApprovalsTest.digest(0)).orElseThrow());
    assertTrue(grants.get(REV, REPO, ApprovalsTest.digest(1)).isEmpty(), "a tar layer");
    assertTrue(grants.get(REV, REPO, ApprovalsTest.digest(2)).isEmpty(), "over 1 MiB");
  }

  @Test
  void anApprovedIndexGrantsItsChildrenAndRemembersThem() {
    Grants grants = grants();
    List<Descriptor> children = layers(MediaTypes.OCI_MANIFEST, 2, 500);
    byte[] bytes =
        ManifestCodec.write(new ImageIndex(2, MediaTypes.OCI_INDEX, null, children, null, null));
    Fetched index = new Fetched(bytes, MediaTypes.OCI_INDEX, Digest.sha256(bytes));
    assertEquals(Optional.empty(), grants.content(REV, REPO, true, index).result());
    assertEquals(
        new Approvals.Platform(index.digest().toString()),
        grants.get(REV, REPO, ApprovalsTest.digest(1)).orElseThrow());
    assertEquals(List.of(index.digest()), grants.indexesOf(REPO, ApprovalsTest.digest(1)));
    assertTrue(Grants.lists(index, ApprovalsTest.digest(1)));
  }

  private static List<Descriptor> layers(String type, int count, long size) {
    List<Descriptor> layers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      layers.add(Descriptor.of(type, ApprovalsTest.digest(i), size));
    }
    return layers;
  }

  /** An image manifest: the first descriptor as config (typed as an image config), the rest. */
  private static Fetched manifest(List<Descriptor> blobs) {
    Descriptor first = blobs.get(0);
    Descriptor config =
        first.mediaType().equals(MediaTypes.OCI_LAYER_GZIP)
            ? Descriptor.of(MediaTypes.OCI_CONFIG, first.parsedDigest(), first.size())
            : first;
    ImageManifest m =
        new ImageManifest(
            2, MediaTypes.OCI_MANIFEST, null, config, blobs.subList(1, blobs.size()), null, null);
    byte[] bytes = ManifestCodec.write(m);
    return new Fetched(bytes, MediaTypes.OCI_MANIFEST, Digest.sha256(bytes));
  }
}
