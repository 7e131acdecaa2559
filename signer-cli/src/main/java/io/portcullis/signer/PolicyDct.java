package io.portcullis.signer;

import io.portcullis.core.dct.Gun;
import io.portcullis.core.dct.SignedTag;
import io.portcullis.core.dct.TrustData;
import io.portcullis.core.policy.DctEvidence;
import io.portcullis.core.policy.NotaryTrustStore;
import io.portcullis.core.policy.Policy;
import io.portcullis.core.policy.SignatureRequirement;
import io.portcullis.core.policy.SignatureType;
import io.portcullis.core.policy.TrustPolicy;
import io.portcullis.core.registry.ImageReference;
import io.portcullis.core.tuf.HttpTufRemote;
import io.portcullis.core.tuf.TufException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@link DctEvidence} of {@code verify --policy}: for each {@code dct} requirement of the
 * policy, its trust store's Notary server verified for the image's GUN (named by the store's {@code
 * gun} template from the image's registry and repository, as the gateway names it from its
 * upstream), then, as the gateway does, the tag's signed target (a reference by tag) or the signed
 * targets naming the digest. First-use roots are recorded in the trust directory of {@code verify
 * --dct-server}. Metadata that does not verify is evidence (the requirement fails with the
 * gateway's reason); a server that cannot be asked is "could not verify".
 */
final class PolicyDct {
  private final Path trustDir;
  private final Clock clock;

  PolicyDct(Path trustDir, Clock clock) {
    this.trustDir = trustDir;
    this.clock = clock;
  }

  List<DctEvidence> collect(TrustPolicy trust, Policy policy, ResolvedImage target) {
    if (!policy.signatureTypes().contains(SignatureType.DCT)) {
      return List.of();
    }
    List<DctEvidence> found = new ArrayList<>();
    for (SignatureRequirement requirement : policy.signatures().orElseThrow().requirements()) {
      if (requirement.type() == SignatureType.DCT) {
        NotaryTrustStore store = (NotaryTrustStore) trust.trustStore(requirement.trustStore());
        found.add(evidence(store, requirement.roles(), target));
      }
    }
    return found;
  }

  private DctEvidence evidence(NotaryTrustStore store, List<String> roles, ResolvedImage target) {
    ImageReference ref = target.requested();
    Gun gun;
    try {
      gun = store.gun(ref.repository().registry(), ref.repository().name().value());
    } catch (IllegalArgumentException e) {
      return DctEvidence.refused(store.name(), roles, e.getMessage());
    }
    try {
      TrustData data = verify(store, gun);
      // by tag: the tag's own signed target, as the gateway resolves it; by digest: any tag's
      List<SignedTag> signed =
          ref.digest().isEmpty()
              ? List.of(data.resolve(ref.tag().orElseThrow().value(), roles))
              : data.signedFor(target.digest(), roles);
      return DctEvidence.signed(store.name(), roles, signed);
    } catch (TufException e) {
      if (e.isNetworkFailure()) {
        throw new CouldNotVerifyException(
            "the Notary server of trust store '"
                + store.name()
                + "' could not be asked about "
                + gun
                + ": "
                + e.getMessage());
      }
      // the gateway's wording, so both refuse alike
      return DctEvidence.refused(
          store.name(),
          roles,
          "the DCT metadata of " + gun + " on " + store.server() + ": " + e.getMessage());
    } catch (IOException e) {
      throw new CouldNotVerifyException(
          "cannot read the DCT trust data of " + gun + " (" + e.getMessage() + ")");
    }
  }

  private TrustData verify(NotaryTrustStore store, Gun gun) throws TufException, IOException {
    return store.verify(
        gun,
        HttpTufRemote.DEFAULT_TIMEOUT,
        clock,
        DctVerification.gunDirectory(trustDir, store.server(), gun));
  }
}
