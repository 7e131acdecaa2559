package io.portcullis.testkit.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.json.StrictJson;
import io.portcullis.core.oci.Descriptor;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.ImageIndex;
import io.portcullis.core.oci.ImageManifest;
import io.portcullis.core.oci.ManifestCodec;
import io.portcullis.core.oci.MediaTypes;
import io.portcullis.testkit.Credentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Attaches Sigstore bundles to an image as OCI 1.1 referrers over plain HTTP, laid out as cosign v3
 * writes them (<a href="https://github.com/sigstore/cosign/blob/main/specs/BUNDLE_SPEC.md">cosign's
 * bundle spec</a>): the bundle as a blob; an OCI manifest with {@code artifactType} the bundle
 * media type, the empty config {@code {}}, one layer holding the bundle, {@code subject} the image
 * and the annotations {@code dev.sigstore.bundle.content} and {@code
 * dev.sigstore.bundle.predicateType}; then, for a registry without the referrers API (Debian's
 * docker-registry 2.8), the referrers tag {@code sha256-<hex>} index read, extended and written
 * back.
 */
public final class BundleReferrers {
  /** The annotation naming the bundle content. */
  public static final String CONTENT = "dev.sigstore.bundle.content";

  /** The annotation naming a DSSE bundle's predicate type. */
  public static final String PREDICATE_TYPE = "dev.sigstore.bundle.predicateType";

  private static final String CREATED = "org.opencontainers.image.created";
  private static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

  private final String registryUrl;
  private final Optional<Credentials> credentials;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * @param registryUrl e.g. {@code http://127.0.0.1:5000}, or a gateway's URL
   * @param credentials sent as HTTP basic authentication when present (token auth is not spoken)
   */
  public BundleReferrers(String registryUrl, Optional<Credentials> credentials) {
    this.registryUrl = registryUrl.replaceAll("/+$", "");
    this.credentials = credentials;
  }

  /**
   * Attaches {@code bundle} to the manifest {@code subject} of {@code repository} and lists it in
   * the referrers tag; returns the referrer manifest's descriptor (as the index lists it).
   */
  public Descriptor attach(String repository, Digest subject, byte[] bundle) {
    return attach(repository, subject, bundle, bundle.length);
  }

  /**
   * {@link #attach} by a lying referrer: its manifest declares the bundle layer {@code
   * declaredSize} bytes long, whatever the bundle's length.
   */
  public Descriptor attach(String repository, Digest subject, byte[] bundle, long declaredSize) {
    Descriptor subjectDescriptor = head(repository, subject);
    uploadBlob(repository, EMPTY);
    uploadBlob(repository, bundle);
    Map<String, String> annotations = annotations(bundle);
    String mediaType = BundleWriter.MEDIA_TYPE;
    ImageManifest manifest =
        new ImageManifest(
            2,
            MediaTypes.OCI_MANIFEST,
            mediaType,
            Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(EMPTY), EMPTY.length),
            List.of(Descriptor.of(mediaType, Digest.sha256(bundle), declaredSize)),
            subjectDescriptor,
            annotations);
    byte[] manifestBytes = ManifestCodec.write(manifest);
    Digest manifestDigest = Digest.sha256(manifestBytes);
    putManifest(repository, manifestDigest.toString(), manifestBytes, MediaTypes.OCI_MANIFEST);
    Descriptor listed =
        Descriptor.of(MediaTypes.OCI_MANIFEST, manifestDigest, manifestBytes.length)
            .withArtifactType(mediaType)
            .withAnnotations(annotations);
    addToReferrersTag(repository, subject, listed);
    return listed;
  }

  /** The referrers tag index of {@code subject}, if any. */
  public Optional<ImageIndex> referrersTag(String repository, Digest subject) {
    HttpResponse<byte[]> r =
        send(
            request(repository, "manifests/" + subject.referrersTag())
                .header("Accept", MediaTypes.OCI_INDEX)
                .GET());
    if (r.statusCode() == 404) {
      return Optional.empty();
    }
    expect(r, 200, "GET referrers tag");
    return Optional.of(ManifestCodec.readIndex(r.body()));
  }

  // read-modify-write, as cosign does; tests attach one bundle at a time per subject
  private void addToReferrersTag(String repository, Digest subject, Descriptor referrer) {
    List<Descriptor> manifests = new ArrayList<>();
    referrersTag(repository, subject).ifPresent(index -> manifests.addAll(index.manifests()));
    manifests.removeIf(d -> d.digest().equals(referrer.digest()));
    manifests.add(referrer);
    ImageIndex index = new ImageIndex(2, MediaTypes.OCI_INDEX, null, manifests, null, null);
    putManifest(
        repository, subject.referrersTag(), ManifestCodec.write(index), MediaTypes.OCI_INDEX);
  }

  /** The annotations cosign v3 writes for a bundle's content. */
  static Map<String, String> annotations(byte[] bundle) {
    JsonNode root = StrictJson.readObject(bundle);
    Map<String, String> a = new LinkedHashMap<>();
    if (root.hasNonNull("dsseEnvelope")) {
      a.put(CONTENT, "dsse-envelope");
      byte[] payload = Base64.getDecoder().decode(root.get("dsseEnvelope").get("payload").asText());
      JsonNode statement = StrictJson.readTree(payload);
      if (statement.path("predicateType").isTextual()) {
        a.put(PREDICATE_TYPE, statement.get("predicateType").asText());
      }
    } else {
      a.put(CONTENT, "message-signature");
    }
    a.put(CREATED, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    return a;
  }

  private Descriptor head(String repository, Digest digest) {
    HttpResponse<byte[]> r =
        send(
            request(repository, "manifests/" + digest)
                .header("Accept", String.join(",", MediaTypes.MANIFEST_TYPES))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    expect(r, 200, "HEAD subject manifest");
    String type = r.headers().firstValue("Content-Type").orElseThrow();
    long size = r.headers().firstValueAsLong("Content-Length").orElseThrow();
    return Descriptor.of(type, digest, size);
  }

  /**
   * Uploads a blob in two steps ({@code POST} then {@code PUT ?digest=}), which every registry
   * takes (docker-registry 2.8 answers a monolithic {@code POST ?digest=} with 202 only).
   */
  public void uploadBlob(String repository, byte[] blob) {
    Digest digest = Digest.sha256(blob);
    HttpResponse<byte[]> started =
        send(request(repository, "blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()));
    expect(started, 202, "start upload of " + digest);
    String location = started.headers().firstValue("Location").orElseThrow();
    URI target = URI.create(registryUrl + "/").resolve(location);
    String sep = target.getRawQuery() == null ? "?" : "&";
    HttpRequest.Builder put =
        HttpRequest.newBuilder(URI.create(target + sep + "digest=" + digest))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(blob));
    credentials.ifPresent(c -> put.header("Authorization", "Basic " + c.basicToken()));
    expect(send(put), 201, "upload blob " + digest);
  }

  /** Puts a manifest (or index) under {@code reference}, a tag or a digest. */
  public void putManifest(String repository, String reference, byte[] body, String mediaType) {
    HttpResponse<byte[]> r =
        send(
            request(repository, "manifests/" + reference)
                .header("Content-Type", mediaType)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
    expect(r, 201, "PUT manifest " + reference);
  }

  private HttpRequest.Builder request(String repository, String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(registryUrl + "/v2/" + repository + "/" + path))
            .timeout(Duration.ofSeconds(30));
    credentials.ifPresent(c -> b.header("Authorization", "Basic " + c.basicToken()));
    return b;
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request) {
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void expect(HttpResponse<byte[]> r, int status, String what) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(
          what + ": HTTP " + r.statusCode() + " " + new String(r.body(), StandardCharsets.UTF_8));
    }
  }
}
