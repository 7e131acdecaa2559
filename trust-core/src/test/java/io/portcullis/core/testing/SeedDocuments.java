package io.portcullis.core.testing;

import io.portcullis.core.cosign.SimpleSigningPayload;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.MediaTypes;
import java.nio.charset.StandardCharsets;

/** Small valid documents of the formats the parsers read, to seed tests and mutations. */
public final class SeedDocuments {
  public static final Digest IMAGE = Digest.sha256("image".getBytes(StandardCharsets.UTF_8));

  private SeedDocuments() {}

  /** An OCI image manifest with one simple-signing layer. */
  public static String manifest() {
    return "{\"schemaVersion\":2,\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST
        + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.OCI_CONFIG
        + "\",\"digest\":\""
        + IMAGE
        + "\",\"size\":2},\"layers\":[{\"mediaType\":\""
        + SimpleSigningPayload.MEDIA_TYPE
        + "\",\"digest\":\""
        + IMAGE
        + "\",\"size\":5,\"annotations\":{\"dev.cosignproject.cosign/signature\":\"MEUC\"}}],"
        + "\"subject\":{\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST
        + "\",\"digest\":\""
        + IMAGE
        + "\",\"size\":7}}";
  }

  /** A Docker schema 2 manifest with a config and one layer, as {@code docker push} writes. */
  public static String dockerManifest() {
    return "{\"schemaVersion\":2,\"mediaType\":\""
        + MediaTypes.DOCKER_MANIFEST
        + "\",\"config\":{\"mediaType\":\""
        + MediaTypes.DOCKER_CONFIG
        + "\",\"size\":1512,\"digest\":\""
        + IMAGE
        + "\"},\"layers\":[{\"mediaType\":\""
        + "application/vnd.docker.image.rootfs.diff.tar.gzip"
        + "\",\"size\":2896510,\"digest\":\""
        + IMAGE
        + "\"}]}";
  }

  /** An OCI index listing one arm64 manifest. */
  public static String index() {
    return "{\"schemaVersion\":2,\"mediaType\":\""
        + MediaTypes.OCI_INDEX
        + "\",\"manifests\":[{\"mediaType\":\""
        + MediaTypes.OCI_MANIFEST
        + "\",\"digest\":\""
        + IMAGE
        + "\",\"size\":5,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}";
  }
}
