/**
 * Tag pinning: a lockfile that maps gateway repository paths and tags to approved digests ({@link
 * io.portcullis.core.pin.Lockfile}), and a rewriter that pins the image references of Dockerfiles,
 * Compose files and Kubernetes manifests in place ({@link
 * io.portcullis.core.pin.ReferenceRewriter}).
 *
 * <p>Depends on {@code oci} for the value types and on {@code registry} only for {@link
 * io.portcullis.core.registry.ImageReference}; it never talks to a registry itself, so resolution
 * is the caller's ({@link io.portcullis.core.pin.TagResolver}).
 */
package io.portcullis.core.pin;
