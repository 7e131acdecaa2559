package io.portcullis.gateway.enforce;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.gateway.upstream.UpstreamArtifacts.Fetched;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a served manifest lets through, recorded in {@link Approvals}: an approved manifest's
 * content (an index's children as platforms, an image's config and layers as blobs, and for an
 * index under {@code enforce} the relation in {@link IndexChildren}); a trust artifact's
 * trust-typed layers, which are served only from verified bytes. A manifest listing more than
 * {@link Approvals#MAX_LISTED} approves nothing: the caller refuses it.
 */
final class Grants {
  private final Approvals approvals;
  private final IndexChildren indexChildren;
  // What each approved manifest listed when it was last granted, so that serving it again (every
  // warm pull) neither parses it nor rewrites its grants, for half the grants' lifetime: a manifest
  // pulled steadily keeps its content approved. A grant evicted meanwhile (weight pressure) sends
  // the manifest through the full path again.
  private final Cache<String, List<Digest>> granted =
      Caffeine.newBuilder()
          .expireAfterWrite(Approvals.LIFETIME.dividedBy(2))
          .maximumWeight(8L * 1024 * 1024)
          .<String, List<Digest>>weigher((k, v) -> 256 + 2 * k.length() + 96 * v.size())
          .build();

  private final Optional<FleetApprovals> fleet;

  Grants(Approvals approvals, IndexChildren indexChildren) {
    this(approvals, indexChildren, Optional.empty());
  }

  /** With {@code fleet}, approvals are shared with every replica. */
  Grants(Approvals approvals, IndexChildren indexChildren, Optional<FleetApprovals> fleet) {
    this.approvals = approvals;
    this.indexChildren = indexChildren;
    this.fleet = fleet;
  }

  /**
   * The grant this replica knows for {@code digest} in {@code repository} under {@code revision}.
   */
  Optional<Approvals.Grant> get(String revision, String repository, Digest digest) {
    return approvals.get(revision, repository, digest);
  }

  /**
   * The grant for {@code digest}, known here or (with shared state) made by another replica, then
   * known here too; fails when the shared state is needed and unavailable.
   */
  Future<Optional<Approvals.Grant>> find(String revision, String repository, Digest digest) {
    Optional<Approvals.Grant> local = approvals.get(revision, repository, digest);
    if (local.isPresent() || fleet.isEmpty()) {
      return Future.succeededFuture(local);
    }
    return fleet
        .get()
        .find(revision, repository, digest)
        .map(
            found ->
                found.map(
                    f -> {
                      approvals.adopt(revision, repository, digest, f.grant(), f.remaining());
                      return f.grant();
                    }));
  }

  /** Whether approvals are shared with other replicas. */
  boolean shared() {
    return fleet.isPresent();
  }

  /** The indexes of {@code repository} known to have listed platform manifest {@code child}. */
  List<Digest> indexesOf(String repository, Digest child) {
    return indexChildren.parents(repository, child);
  }

  /**
   * Approves what the approved manifest {@code m} lists, under {@code revision}; empty, or what it
   * lists too much of ({@code "26001 blobs"}). An unreadable manifest approves nothing. With shared
   * state it completes once the approvals are committed there, and fails when they could not be
   * (this replica knows them all the same).
   */
  Future<Optional<String>> content(String revision, String repository, boolean enforce, Fetched m) {
    String key = revision + "|" + repository + "@" + m.digest();
    List<Digest> known = granted.getIfPresent(key);
    if (known != null
        && known.stream().allMatch(d -> approvals.get(revision, repository, d).isPresent())) {
      return Future.succeededFuture(Optional.empty());
    }
    List<Digest> listed = new ArrayList<>();
    boolean index = MediaTypes.isIndex(m.mediaType());
    try {
      if (index) {
        for (Descriptor child : ManifestCodec.readIndex(m.bytes()).manifests()) {
          listed.add(child.parsedDigest());
        }
      } else {
        for (Descriptor blob : blobs(ManifestCodec.readManifest(m.bytes()))) {
          listed.add(blob.parsedDigest());
        }
      }
    } catch (IllegalArgumentException unreadable) {
      return Future.succeededFuture(Optional.empty());
    }
    if (listed.size() > Approvals.MAX_LISTED) {
      return Future.succeededFuture(Optional.of(listed.size() + (index ? " manifests" : " blobs")));
    }
    Approvals.Grant grant =
        index
            ? new Approvals.Platform(m.digest().toString())
            : new Approvals.Content(m.digest().toString());
    Map<Digest, Approvals.Grant> made = new LinkedHashMap<>();
    for (Digest d : listed) {
      approvals.grant(revision, repository, d, grant);
      made.put(d, grant);
    }
    if (index && enforce) {
      indexChildren.record(repository, m.digest(), listed);
    }
    // remembered only once shared, so a failed write is tried again on the next pull
    return share(revision, repository, enforce, made)
        .map(
            v -> {
              granted.put(key, List.copyOf(listed));
              return Optional.<String>empty();
            });
  }

  /**
   * Shares {@code made} with the other replicas, needed only under {@code enforce}: under {@code
   * audit} no replica gates a blob on an approval, so an outage of the shared state costs nothing.
   */
  private Future<Void> share(
      String revision, String repository, boolean enforce, Map<Digest, Approvals.Grant> made) {
    if (fleet.isEmpty() || made.isEmpty() || !enforce) {
      return Future.succeededFuture();
    }
    return fleet.get().share(revision, repository, made);
  }

  /**
   * Lets the trust-typed layers (and config) of trust artifact {@code m} be served as verified
   * bytes; nothing it lists becomes content. Empty, or what it lists too much of; with shared state
   * and {@code enforce}, once committed there (as {@link #content}).
   */
  Future<Optional<String>> artifact(
      String revision, String repository, boolean enforce, Fetched m) {
    if (MediaTypes.isIndex(m.mediaType())) {
      return Future.succeededFuture(Optional.empty());
    }
    List<Descriptor> blobs;
    try {
      blobs = blobs(ManifestCodec.readManifest(m.bytes()));
    } catch (IllegalArgumentException unreadable) {
      return Future.succeededFuture(Optional.empty());
    }
    if (blobs.size() > Approvals.MAX_LISTED) {
      return Future.succeededFuture(Optional.of(blobs.size() + " blobs"));
    }
    String key = "artifact|" + revision + "|" + repository + "@" + m.digest();
    List<Digest> known = granted.getIfPresent(key);
    if (known != null
        && known.stream().allMatch(d -> approvals.get(revision, repository, d).isPresent())) {
      return Future.succeededFuture(Optional.empty());
    }
    Map<Digest, Approvals.Grant> made = new LinkedHashMap<>();
    for (Descriptor blob : blobs) {
      // A digest the uploader left malformed grants nothing (and is no 400 of the client's).
      if (SignatureArtifacts.isTrustLayer(blob) && Digest.isDigest(blob.digest())) {
        Approvals.Grant grant = new Approvals.Artifact(blob.mediaType(), blob.size());
        approvals.grant(revision, repository, blob.parsedDigest(), grant);
        made.putIfAbsent(blob.parsedDigest(), grant);
      }
    }
    return share(revision, repository, enforce, made)
        .map(
            v -> {
              granted.put(key, List.copyOf(made.keySet()));
              return Optional.<String>empty();
            });
  }

  /** True when {@code index} lists {@code child}. */
  static boolean lists(Fetched index, Digest child) {
    try {
      return ManifestCodec.readIndex(index.bytes()).manifests().stream()
          .anyMatch(d -> child.toString().equals(d.digest()));
    } catch (IllegalArgumentException unreadable) {
      return false;
    }
  }

  private static List<Descriptor> blobs(ImageManifest manifest) {
    List<Descriptor> blobs = new ArrayList<>();
    if (manifest.config() != null) {
      blobs.add(manifest.config());
    }
    blobs.addAll(manifest.layers());
    return blobs;
  }
}
