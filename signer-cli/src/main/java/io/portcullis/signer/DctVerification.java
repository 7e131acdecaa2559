package io.portcullis.signer;

import io.portcullis.core.dct.DctVerifier;
import io.portcullis.core.dct.Gun;
import io.portcullis.core.dct.NotaryTokenAuthorizer;
import io.portcullis.core.dct.RootTrust;
import io.portcullis.core.dct.SignedTag;
import io.portcullis.core.dct.TrustData;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.registry.ImageReference;
import io.portcullis.core.tuf.HttpTufRemote;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufLimits;
import io.portcullis.core.tuf.TufMetadataStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;

/**
 * {@code verify --dct-server URL IMAGE}: the Docker Content Trust (Notary v1) signature of IMAGE's
 * tag, as {@code docker pull} with {@code DOCKER_CONTENT_TRUST=1} resolves it: the GUN is the
 * image's registry and repository as docker names them ({@link Gun}), the server's TUF metadata is
 * verified ({@link DctVerifier}) and the tag resolved in the roles asked for, first match wins.
 * Prints the signed digest and length, the role and the TUF key ids that signed it. For {@code
 * IMAGE@sha256:...} it lists the signed tags naming that digest instead.
 *
 * <p>Metadata that does not verify and a tag signed nowhere are "not verified" (exit 1); a server
 * that cannot be reached or refuses access is "could not verify" (exit 3), as for registries.
 */
final class DctVerification {
  private final DctOptions options;
  private final PrintWriter out;
  private final Map<String, String> environment;
  private final Clock clock;

  DctVerification(DctOptions options, PrintWriter out, Map<String, String> environment) {
    this.options = options;
    this.out = out;
    this.environment = environment;
    this.clock = Clock.systemUTC();
  }

  /** The outcome: the exit code, and the one-line reason when it is not {@link ExitCodes#OK}. */
  record Result(int exitCode, String reason) {}

  Result run(String image, RegistryOptions registry) throws IOException {
    ImageReference ref = parse(image);
    URI server = options.server();
    List<String> roles = options.roles();
    RootTrust trust = options.rootTrust();
    Gun gun = options.gun(ref);
    SSLContext tls = DctTls.context(options.caFile);
    NotaryTokenAuthorizer authorizer =
        new NotaryTokenAuthorizer(
            gun, options.credentials(), tls, HttpTufRemote.DEFAULT_TIMEOUT, clock);
    HttpTufRemote remote =
        new HttpTufRemote(
            URI.create(server + "/v2/" + gun + "/_trust/tuf/"),
            HttpTufRemote.DEFAULT_TIMEOUT,
            tls,
            authorizer);
    Path dir = gunDirectory(options.trustDir(environment), server, gun);
    TufMetadataStore store = new TufMetadataStore(dir);
    boolean recorded = store.read("root.json").isPresent();

    out.println("image " + ref);
    out.println("dct server " + server + ", gun " + gun + ", roles " + String.join(", ", roles));
    try {
      TrustData data =
          DctVerifier.verify(
              new DctVerifier.Settings(gun, remote, store, trust, clock, TufLimits.DEFAULT));
      out.println("root " + rootNote(trust, recorded, dir));
      List<SignedTag> signed = signedTags(data, ref, roles);
      for (SignedTag tag : signed) {
        out.println(
            "PASS tag "
                + tag.tag()
                + ": "
                + tag.digest()
                + " ("
                + tag.length()
                + " bytes) signed in "
                + tag.role()
                + " by "
                + String.join(", ", new TreeSet<>(tag.signerKeyIds())));
      }
      if (options.checkRegistry) {
        new DctRegistryCheck(registry.client(), out).run(ref, signed);
      }
      Digest digest = signed.get(0).digest();
      out.println(
          "VERIFIED: " + ref + " is signed in Docker Content Trust: " + ref.withDigest(digest));
      out.flush();
      return new Result(ExitCodes.OK, null);
    } catch (TufException e) {
      if (e.isNetworkFailure()) {
        throw new CouldNotVerifyException(
            "cannot read the trust data of " + gun + " from " + server + ": " + e.getMessage());
      }
      out.println("FAIL " + subject(ref, e) + ": " + e.getMessage());
      out.println("NOT VERIFIED: " + ref + " has no trusted Docker Content Trust signature");
      out.flush();
      return new Result(ExitCodes.VERIFICATION_FAILED, e.getMessage());
    } catch (VerificationFailedException e) {
      out.println("NOT VERIFIED: " + e.getMessage());
      out.flush();
      return new Result(ExitCodes.VERIFICATION_FAILED, e.getMessage());
    }
  }

  /**
   * Where {@code gun}'s trusted metadata from {@code server} is kept under {@code trustDir}: per
   * server and GUN, so a first-use root recorded for one server never vouches for another; {@code
   * verify --policy} keeps its dct requirements' there too.
   */
  static Path gunDirectory(Path trustDir, URI server, Gun gun) {
    return trustDir.resolve(server.getAuthority()).resolve(gun.value());
  }

  private static ImageReference parse(String image) {
    try {
      return ImageReference.parse(image);
    } catch (InvalidReferenceException e) {
      throw new UsageException("invalid IMAGE '" + image + "': " + e.getMessage());
    }
  }

  /** The tag's signed target, or for a digest the signed tags naming it. */
  private static List<SignedTag> signedTags(TrustData data, ImageReference ref, List<String> roles)
      throws TufException, IOException {
    if (ref.digest().isEmpty()) {
      return List.of(data.resolve(ref.tag().orElseThrow().value(), roles));
    }
    Digest digest = ref.digest().get();
    List<SignedTag> found = new ArrayList<>(data.signedFor(digest, roles));
    if (ref.tag().isPresent()) {
      // IMAGE:TAG@DIGEST: the tag's own signed target must be that digest
      found.removeIf(t -> !t.tag().equals(ref.tag().get().value()));
    }
    if (found.isEmpty()) {
      throw new TufException.NotFound(
          "no tag of "
              + data.gun()
              + ref.tag().map(t -> " named " + t.value()).orElse("")
              + " has a signed target "
              + digest
              + " in "
              + String.join(" or ", roles));
    }
    return found;
  }

  private static String subject(ImageReference ref, TufException e) {
    return e instanceof TufException.NotFound
        ? ref.digest().map(d -> "digest " + d).orElse("tag " + ref.tag().orElseThrow().value())
        : "trust data";
  }

  private static String rootNote(RootTrust trust, boolean recorded, Path dir) {
    if (trust instanceof RootTrust.Pinned) {
      return "signed by the pinned root keys";
    }
    return recorded
        ? "chained from the root trusted on first use, recorded in " + dir
        : "trusted on first use: recorded in " + dir + " (later runs must chain from it)";
  }
}
