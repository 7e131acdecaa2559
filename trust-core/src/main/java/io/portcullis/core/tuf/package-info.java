/**
 * A client of <a href="https://theupdateframework.github.io/specification/latest/">The Update
 * Framework</a> (TUF 1.0, "Detailed client workflow", sections 5.1 to 5.7): root rotation,
 * timestamp, snapshot and targets metadata, and verified target downloads from a repository over
 * HTTP, with the trusted state kept in a local directory.
 *
 * <p>It knows nothing of Sigstore: the same code reads Notary v1 (Docker Content Trust) metadata.
 * What differs between the two ({@code _type} spelling, {@code meta} names, signature encoding and
 * methods, key ids, delegation names and paths, the canonical JSON) is one {@link
 * io.portcullis.core.tuf.TufFormat}, with securesystemslib's conventions as the default. Delegated
 * targets roles are followed (pre-order, depth first, terminating roles honoured).
 */
package io.portcullis.core.tuf;
