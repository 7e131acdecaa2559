package io.portcullis.gateway.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.OciLayout;
import io.portcullis.testkit.RegistryProcess;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What an attacker stages in a registry, directly or through the gateway with push rights: blobs
 * and manifests written with the plain registry API, and manifests that merely claim to be trust
 * artifacts (layers typed as signatures whose digests are an unsigned image's).
 */
final class Forgery {
  static final String SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Forgery() {}

  /** A blob's descriptor fields. */
  record Blob(String mediaType, String digest, long size) {}

  /** The manifest, config and layers of an image in an OCI layout, as blobs. */
  static List<Blob> contentOf(OciLayout image) throws IOException {
    byte[] manifest = Files.readAllBytes(image.blob(image.digest()));
    JsonNode m = JSON.readTree(manifest);
    List<Blob> blobs = new ArrayList<>();
    blobs.add(new Blob(MediaTypes.OCI_MANIFEST, image.digest(), manifest.length));
    blobs.add(blob(m.path("config")));
    m.path("layers").forEach(l -> blobs.add(blob(l)));
    return blobs;
  }

  private static Blob blob(JsonNode d) {
    return new Blob(
        d.path("mediaType").asText(), d.path("digest").asText(), d.path("size").asLong());
  }

  /**
   * An OCI image manifest whose layers are {@code layers} retyped as {@code layerType}, with {@code
   * config} as config and an optional {@code subject}.
   */
  static byte[] manifest(Blob config, List<Blob> layers, String layerType, Blob subject) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2).put("mediaType", MediaTypes.OCI_MANIFEST);
    root.set("config", descriptor(config.mediaType(), config));
    ArrayNode array = root.putArray("layers");
    layers.forEach(l -> array.add(descriptor(layerType == null ? l.mediaType() : layerType, l)));
    if (subject != null) {
      root.set("subject", descriptor(subject.mediaType(), subject));
    }
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode descriptor(String mediaType, Blob b) {
    return JSON.createObjectNode()
        .put("mediaType", mediaType)
        .put("digest", b.digest())
        .put("size", b.size());
  }

  /** Uploads {@code bytes} as a blob of {@code repo} at {@code base} (monolithic: POST, PUT). */
  static void uploadBlob(String base, String repo, byte[] bytes, String... auth)
      throws IOException, InterruptedException {
    HttpResponse<String> start =
        Http.send("POST", base + "/v2/" + repo + "/blobs/uploads/", null, auth);
    assertEquals(202, start.statusCode(), start.body());
    String location = start.headers().firstValue("Location").orElseThrow();
    if (location.startsWith("/")) {
      location = base + location;
    }
    String url = location + (location.contains("?") ? "&" : "?") + "digest=" + Digest.sha256(bytes);
    String[] headers = concat(auth, "Content-Type", "application/octet-stream");
    HttpResponse<String> put = Http.send("PUT", url, bytes, headers);
    assertEquals(201, put.statusCode(), put.body());
  }

  /** Puts manifest {@code bytes} at {@code repo:reference}; its digest. */
  static String putManifest(
      String base, String repo, String reference, byte[] bytes, String... auth)
      throws IOException, InterruptedException {
    String[] headers = concat(auth, "Content-Type", MediaTypes.OCI_MANIFEST);
    HttpResponse<String> r =
        Http.send("PUT", base + "/v2/" + repo + "/manifests/" + reference, bytes, headers);
    assertEquals(201, r.statusCode(), r.body());
    return Digest.sha256(bytes).toString();
  }

  /**
   * Writes manifest {@code bytes} into {@code registry}'s filesystem storage as {@code repo}'s
   * revision and under each of {@code tags}, as distribution 2.8 lays them out; its digest. This is
   * how an attacker with write access to the storage, or a registry that does not check what a
   * manifest lists, holds manifests naming blobs it has not got (distribution's PUT would refuse
   * them with {@code MANIFEST_BLOB_UNKNOWN}).
   */
  static Digest writeUnchecked(RegistryProcess registry, String repo, byte[] bytes, String... tags)
      throws IOException {
    Digest digest = Digest.sha256(bytes);
    String hex = digest.toString().substring("sha256:".length());
    Path v2 = registry.storage().resolve("docker/registry/v2");
    Path data = v2.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
    Files.createDirectories(data.getParent());
    Files.write(data, bytes);
    Path manifests = v2.resolve("repositories/" + repo + "/_manifests");
    link(manifests.resolve("revisions/sha256/" + hex + "/link"), digest);
    for (String tag : tags) {
      link(manifests.resolve("tags/" + tag + "/index/sha256/" + hex + "/link"), digest);
      link(manifests.resolve("tags/" + tag + "/current/link"), digest);
    }
    return digest;
  }

  private static void link(Path file, Digest digest) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, digest.toString());
  }

  /** The {@code sha256-<hex>} tag of a digest, with {@code suffix}. */
  static String tagOf(String digest, String suffix) {
    return Digest.parse(digest).referrersTag() + suffix;
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
