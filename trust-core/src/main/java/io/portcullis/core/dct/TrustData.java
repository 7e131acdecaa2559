package io.portcullis.core.dct;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.tuf.TargetFile;
import io.portcullis.core.tuf.TufClient;
import io.portcullis.core.tuf.TufException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A GUN's verified trust data: resolves a tag to the digest its signer published, or tells which
 * signed tags name a digest. Roles are asked in the order given, as {@code docker trust} asks
 * {@code targets/releases} before {@code targets}; a role not delegated (or not to the tag) is
 * skipped, so a repository without a releases delegation still resolves from {@code targets}.
 */
public final class TrustData {
  private final String gun;
  private final TufClient client;

  TrustData(String gun, TufClient client) {
    this.gun = gun;
    this.client = client;
  }

  public String gun() {
    return gun;
  }

  /**
   * The exact bytes of the root this trust data was verified under: the starting root followed
   * through its rotations, which a first-use record moves forward to ({@link RootTrust.Recorded}).
   */
  public byte[] root() {
    return client.trustedRoot().metadata().raw().clone();
  }

  /** The version of {@link #root()}. */
  public long rootVersion() {
    return client.trustedRoot().version();
  }

  /**
   * When this trust data stops being usable: the earliest expiry of the metadata verified so far
   * (the timestamp's, usually, 14 days on a notary server), delegated roles already read included.
   * A cache may answer from it until then and must verify again after.
   */
  public Instant expires() {
    return client.earliestExpiry();
  }

  /**
   * The signed target for {@code tag} from the first of {@code roles} that lists it.
   *
   * @throws TufException.NotFound when none of the roles signed the tag
   */
  public SignedTag resolve(String tag, List<String> roles) throws TufException, IOException {
    for (String role : roles) {
      Optional<TufClient.RoleTargets> signed = client.roleTargets(role);
      if (signed.isPresent() && signed.get().targets().containsKey(tag)) {
        return signedTag(tag, signed.get().targets().get(tag), signed.get());
      }
    }
    throw new TufException.NotFound(
        "tag " + tag + " of " + gun + " has no signed target in " + String.join(" or ", roles));
  }

  /** Every tag of {@code roles} whose target is {@code digest}, first role first. */
  public List<SignedTag> signedFor(Digest digest, List<String> roles)
      throws TufException, IOException {
    List<SignedTag> found = new ArrayList<>();
    for (String role : roles) {
      Optional<TufClient.RoleTargets> signed = client.roleTargets(role);
      if (signed.isEmpty()) {
        continue;
      }
      for (Map.Entry<String, TargetFile> entry : signed.get().targets().entrySet()) {
        Optional<SignedTag> tag = sha256(entry.getKey(), entry.getValue(), signed.get());
        if (tag.isPresent() && tag.get().digest().equals(digest)) {
          found.add(tag.get());
        }
      }
    }
    return found;
  }

  private SignedTag signedTag(String tag, TargetFile target, TufClient.RoleTargets role)
      throws TufException.Malformed {
    return sha256(tag, target, role)
        .orElseThrow(
            () ->
                new TufException.Malformed(
                    "the target of tag " + tag + " in " + role.role() + " has no sha256 hash"));
  }

  private Optional<SignedTag> sha256(String tag, TargetFile target, TufClient.RoleTargets role) {
    String hex = target.hashes().get("sha256");
    if (hex == null || hex.length() != 64) {
      return Optional.empty();
    }
    return Optional.of(
        new SignedTag(
            gun,
            tag,
            Digest.parse("sha256:" + hex),
            target.length(),
            role.role(),
            role.signerKeyIds()));
  }
}
