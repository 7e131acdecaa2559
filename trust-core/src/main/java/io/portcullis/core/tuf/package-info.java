/**
 * A client of <a href="https://theupdateframework.github.io/specification/latest/">The Update
 * Framework</a> (TUF 1.0, "Detailed client workflow", sections 5.1 to 5.7): root rotation,
 * timestamp, snapshot and targets metadata, and verified target downloads from a repository over
 * HTTP, with the trusted state kept in a local directory.
 *
 * <p>It knows nothing of Sigstore: the same code is meant to read Notary v1 metadata, so key types
 * ({@link io.portcullis.core.tuf.TufKeyTypes}) and the canonical form signatures cover ({@link
 * io.portcullis.core.tuf.Canonicalizer}) are plugged in, with securesystemslib's defaults.
 * Delegated targets roles are followed (pre-order, depth first, terminating roles honoured).
 */
package io.portcullis.core.tuf;
