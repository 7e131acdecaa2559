package io.portcullis.core.registry;

import io.portcullis.core.oci.Descriptor;

/**
 * The outcome of a manifest push.
 *
 * @param descriptor what was pushed (media type, digest of the exact bytes, size)
 * @param referrersTagUpdated true when the manifest has a {@code subject} and the registry did not
 *     acknowledge it with {@code OCI-Subject}, so the client added it to the referrers tag index
 */
public record PushedManifest(Descriptor descriptor, boolean referrersTagUpdated) {}
