package io.portcullis.core.dct;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.core.tuf.RootMetadata;
import io.portcullis.core.tuf.TufClient;
import io.portcullis.core.tuf.TufException;
import io.portcullis.core.tuf.TufFormat;
import io.portcullis.core.tuf.TufLimits;
import io.portcullis.core.tuf.TufMetadataStore;
import io.portcullis.core.tuf.TufRemote;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * Verifies the Docker Content Trust (Notary v1) metadata of one GUN with the TUF client of {@link
 * io.portcullis.core.tuf}: the root is trusted by pinned keys or on first use and followed through
 * its rotations ({@code N.root.json}, each signed by a threshold of the previous root's keys and of
 * its own), then timestamp, snapshot and targets, each signed by its role's threshold, unexpired,
 * and not older than what the store trusted before.
 *
 * <p>Notary's own rule for root keys is kept too ({@code trustpinning.ValidateRoot}): they are
 * certificates whose common name is the GUN, and only those valid now count towards the root
 * threshold of the root finally trusted.
 */
public final class DctVerifier {
  /** {@code docker trust}'s roles for a pull: the releases delegation, then the targets role. */
  public static final List<String> DOCKER_ROLES = List.of("targets/releases", "targets");

  private static final String ROOT = "root.json";

  /**
   * What to verify and with what.
   *
   * @param gun the globally unique name, such as {@code docker.io/library/alpine}
   * @param remote the server's metadata for the GUN ({@code <server>/v2/<gun>/_trust/tuf/})
   * @param store the trusted state from earlier runs for this GUN and trust store
   */
  public record Settings(
      Gun gun,
      TufRemote remote,
      TufMetadataStore store,
      RootTrust trust,
      Clock clock,
      TufLimits limits) {
    public Settings {
      Objects.requireNonNull(gun, "gun");
      Objects.requireNonNull(remote, "remote");
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(trust, "trust");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(limits, "limits");
    }
  }

  private static final TufFormat FORMAT = TufFormat.notary(NotaryKeyTypes.INSTANCE);

  private DctVerifier() {}

  /** Updates and verifies the GUN's metadata; the result resolves tags. */
  public static TrustData verify(Settings settings) throws TufException, IOException {
    byte[] current = fetchRoot(settings, ROOT);
    byte[] start = startingRoot(settings, current);
    TufClient client =
        TufClient.open(
            new TufClient.Settings(
                settings.remote(),
                settings.store(),
                start,
                settings.clock(),
                settings.limits(),
                FORMAT));
    RootMetadata root = client.updateRoot();
    checkReachedCurrent(settings.gun().value(), root, RootMetadata.parse(ROOT, current, FORMAT));
    checkRootCertificates(settings.gun().value(), root, settings.clock().instant());
    if (settings.trust() instanceof RootTrust.FirstUse && settings.store().read(ROOT).isEmpty()) {
      settings.store().write(ROOT, root.metadata().raw());
    }
    client.updateTimestamp();
    client.updateSnapshot();
    client.updateTargets();
    return new TrustData(settings.gun().value(), client);
  }

  /** The root to start from, before rotations: see {@link RootTrust}. */
  private static byte[] startingRoot(Settings settings, byte[] current)
      throws TufException, IOException {
    if (settings.trust() instanceof RootTrust.Pinned pinned) {
      if (signedByPins(current, ROOT, pinned.pins())) {
        return current;
      }
      byte[] first = fetchRoot(settings, "1." + ROOT);
      if (signedByPins(first, "1." + ROOT, pinned.pins())) {
        return first;
      }
      throw new TufException.Untrusted(
          "the root of "
              + settings.gun()
              + " is not signed by a threshold of the pinned root keys (neither root.json nor"
              + " 1.root.json)");
    }
    if (settings.trust() instanceof RootTrust.Recorded recorded) {
      // the client prefers the store's root.json: it must be the recorded root, or none
      if (recorded.root().isPresent()) {
        settings.store().write(ROOT, recorded.root().get());
      } else {
        settings.store().delete(ROOT);
      }
      return recorded.root().orElse(current);
    }
    Optional<byte[]> recorded = settings.store().read(ROOT);
    return recorded.isPresent() ? recorded.get() : current;
  }

  /**
   * The rotations walked must end at the server's current {@code root.json}: a gap in the {@code
   * N.root.json} chain would otherwise leave an old root trusted while the server has moved on, and
   * a current root of the trusted version must be the trusted one.
   */
  private static void checkReachedCurrent(String gun, RootMetadata trusted, RootMetadata current)
      throws TufException.Untrusted {
    if (current.version() > trusted.version()) {
      throw new TufException.Untrusted(
          "root.json version "
              + current.version()
              + " of "
              + gun
              + " does not chain from the trusted root version "
              + trusted.version()
              + ": "
              + (trusted.version() + 1)
              + ".root.json is missing");
    }
    if (current.version() == trusted.version()
        && !Arrays.equals(current.metadata().canonical(), trusted.metadata().canonical())) {
      throw new TufException.Untrusted(
          "root.json version "
              + current.version()
              + " of "
              + gun
              + " is not the root trusted at that version");
    }
  }

  private static byte[] fetchRoot(Settings settings, String file) throws TufException {
    return settings
        .remote()
        .fetch(file, settings.limits().rootBytes())
        .orElseThrow(
            () ->
                new TufException.NotFound(
                    "the Notary server has no trust data for "
                        + settings.gun()
                        + " ("
                        + file
                        + ")"));
  }

  private static boolean signedByPins(byte[] raw, String file, RootKeyPins pins)
      throws TufException.Malformed {
    RootMetadata root = RootMetadata.parse(file, raw, FORMAT);
    JsonNode keys = root.metadata().signed().path("keys");
    try {
      root.restrictKeys(id -> pins.pins(id, keys.path(id))).verify("root", root.metadata());
      return true;
    } catch (TufException.ThresholdNotMet e) {
      return false;
    }
  }

  /**
   * The root role's keys must be certificates for the GUN (common name = GUN) valid at {@code now},
   * and a threshold of those must sign the root.
   */
  static void checkRootCertificates(String gun, RootMetadata root, Instant now)
      throws TufException.Untrusted {
    JsonNode keys = root.metadata().signed().path("keys");
    List<String> refused = new ArrayList<>();
    RootMetadata valid =
        root.restrictKeys(
            id -> {
              String why = rootKeyProblem(gun, keys.path(id), now);
              if (why != null) {
                refused.add(id + ": " + why);
              }
              return why == null;
            });
    try {
      valid.verify("root", root.metadata());
    } catch (TufException.ThresholdNotMet e) {
      throw new TufException.Untrusted(
          root.metadata().file()
              + " version "
              + root.version()
              + " of "
              + gun
              + " is not signed by a threshold of valid root certificates for the GUN"
              + (refused.isEmpty() ? "" : " (refused " + String.join("; ", refused) + ")"));
    }
  }

  private static String rootKeyProblem(String gun, JsonNode key, Instant now) {
    Optional<X509Certificate> certificate = NotaryKeyTypes.certificate(key);
    if (certificate.isEmpty()) {
      return "not an x509 certificate key";
    }
    X509Certificate cert = certificate.get();
    String cn = commonName(cert);
    if (!gun.equals(cn)) {
      return "certificate common name '" + cn + "' is not the GUN";
    }
    if (now.isBefore(cert.getNotBefore().toInstant())
        || now.isAfter(cert.getNotAfter().toInstant())) {
      return "certificate valid only from "
          + cert.getNotBefore().toInstant()
          + " to "
          + cert.getNotAfter().toInstant();
    }
    return null;
  }

  private static String commonName(X509Certificate cert) {
    RDN[] cns =
        X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
    return cns.length == 1 ? IETFUtils.valueToString(cns[0].getFirst().getValue()) : null;
  }
}
