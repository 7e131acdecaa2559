package io.portcullis.core.registry;

import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.ManifestLimits;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.core.oci.Reference;
import io.portcullis.core.oci.Tag;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lists the manifests that name a subject: the <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers">referrers
 * API</a> when the registry has it, and otherwise (a 404) the <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema">referrers
 * tag schema</a>: the index at tag {@code <alg>-<hex>}.
 */
final class ReferrersLister {
  private static final int MAX_PAGES = 100;

  private final RegistryTransport transport;
  private final ManifestPuller manifests;

  ReferrersLister(RegistryTransport transport, ManifestPuller manifests) {
    this.transport = transport;
    this.manifests = manifests;
  }

  ImageIndex list(RemoteRepository repo, Digest subject, Optional<String> artifactType) {
    String what = "referrers of " + repo + "@" + subject;
    String target =
        "/v2/"
            + repo.name()
            + "/referrers/"
            + subject
            + artifactType
                .map(t -> "?artifactType=" + URLEncoder.encode(t, StandardCharsets.UTF_8))
                .orElse("");
    List<Descriptor> found = new ArrayList<>();
    boolean filtered = false;
    for (int page = 0; target != null; page++) {
      if (page >= MAX_PAGES) {
        throw new RegistryProtocolException(what + ": more than " + MAX_PAGES + " pages");
      }
      HttpResponse<InputStream> response =
          transport.send(
              new RegistryTransport.Call(
                  repo,
                  RegistryTransport.Access.PULL,
                  "GET",
                  target,
                  Map.of("Accept", MediaTypes.OCI_INDEX),
                  null,
                  what));
      if (response.statusCode() == 404 && page == 0) {
        ResponseBodies.discard(response);
        return filter(tagIndex(repo, subject), artifactType);
      }
      if (response.statusCode() != 200) {
        throw ResponseBodies.failure(response, what);
      }
      filtered |=
          response.headers().allValues("OCI-Filters-Applied").stream()
              .anyMatch(v -> v.contains("artifactType"));
      byte[] body = ResponseBodies.read(response, ManifestLimits.MAX_BYTES, what);
      found.addAll(readIndex(body, what).manifests());
      target = TagLister.nextPage(response).orElse(null);
    }
    ImageIndex index = new ImageIndex(2, MediaTypes.OCI_INDEX, null, found, null, null);
    return filtered ? index : filter(index, artifactType);
  }

  /** The referrers-tag index for {@code subject}, or an empty index when the tag is absent. */
  ImageIndex tagIndex(RemoteRepository repo, Digest subject) {
    Reference tag = Reference.of(Tag.of(subject.referrersTag()));
    try {
      FetchedManifest fetched = manifests.get(repo, tag);
      return readIndex(fetched.bytes(), "referrers tag " + repo + ":" + tag);
    } catch (RegistryNotFoundException e) {
      return ImageIndex.empty();
    }
  }

  private static ImageIndex readIndex(byte[] body, String what) {
    try {
      return ManifestCodec.readIndex(body);
    } catch (ManifestCodec.InvalidManifestException e) {
      throw new RegistryProtocolException(what + ": " + e.getMessage());
    }
  }

  private static ImageIndex filter(ImageIndex index, Optional<String> artifactType) {
    if (artifactType.isEmpty()) {
      return index;
    }
    List<Descriptor> kept =
        index.manifests().stream()
            .filter(d -> artifactType.get().equals(d.artifactType()))
            .toList();
    return new ImageIndex(2, MediaTypes.OCI_INDEX, null, kept, null, null);
  }
}
