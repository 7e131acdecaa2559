package io.portcullis.core.dct;

import io.portcullis.core.oci.Digest;
import java.util.Set;

/**
 * A tag as a Notary v1 server's verified metadata signs it: the manifest digest ({@code
 * hashes.sha256} of the target) and length it must have, the role whose metadata lists it, and the
 * TUF key ids whose signatures over that role's metadata verified.
 */
public record SignedTag(
    String gun, String tag, Digest digest, long length, String role, Set<String> signerKeyIds) {
  public SignedTag {
    signerKeyIds = Set.copyOf(signerKeyIds);
  }
}
