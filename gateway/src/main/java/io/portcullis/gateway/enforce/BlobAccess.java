package io.portcullis.gateway.enforce;

/**
 * What the enforcer lets a client have of a blob: proxy it as content (it belongs to a manifest
 * approved under the policy in force, or no enforcing policy covers the repository), or these
 * bytes, a trust artifact's layer fetched within its declared size, checked against its digest and
 * parsed as its declared type. A refusal is a failed future ({@code DENIED}).
 */
public sealed interface BlobAccess {
  /** Proxy the blob as usual (streamed, digest-checked, cached). */
  BlobAccess PROXY = new Proxy();

  /** Proxy as usual. */
  record Proxy() implements BlobAccess {}

  /** Serve exactly these verified bytes, whose digest the request named. */
  record Verified(byte[] bytes) implements BlobAccess {}
}
