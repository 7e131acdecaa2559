/**
 * A blocking client for the <a
 * href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md">OCI distribution
 * spec</a>, used by the signer CLI: manifests, blobs, tags and referrers, with anonymous, Basic and
 * <a href="https://distribution.github.io/distribution/spec/auth/token/">token</a> authentication.
 *
 * <p>{@link io.portcullis.core.registry.RegistryClient} is the entry point. Failures surface as
 * subclasses of {@link io.portcullis.core.registry.RegistryException}, so a caller can tell "not
 * found" from "unauthorized" from "unreachable" without parsing messages.
 */
package io.portcullis.core.registry;
