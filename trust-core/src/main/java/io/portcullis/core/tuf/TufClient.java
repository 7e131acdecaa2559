package io.portcullis.core.tuf;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The TUF client workflow (<a
 * href="https://theupdateframework.github.io/specification/latest/#detailed-client-workflow">spec
 * 5.1 to 5.7</a>): {@link #refresh()} updates root, timestamp, snapshot and targets in that order,
 * each step verified against what the previous one established, and {@link #download} fetches a
 * target (found through delegated targets roles where needed) and checks it against the metadata
 * that lists it. Every verified file is stored at once, so the next run starts from it (and a
 * rollback below it is refused).
 *
 * <p>One instance serves one update at a time; it is not thread-safe. The steps are public so that
 * tests (and diagnostics) can stop after any of them.
 */
public final class TufClient {
  static final String ROOT = "root.json";
  static final String TIMESTAMP = "timestamp.json";
  static final String SNAPSHOT = "snapshot.json";
  static final String TARGETS = "targets.json";

  /**
   * What the client needs.
   *
   * @param pinnedRoot a root metadata file trusted out of band (shipped, or configured); a newer
   *     root already in the store is preferred to it
   */
  public record Settings(
      TufRemote remote,
      TufMetadataStore store,
      byte[] pinnedRoot,
      Clock clock,
      TufLimits limits,
      TufFormat format) {
    public Settings {
      Objects.requireNonNull(remote, "remote");
      Objects.requireNonNull(store, "store");
      Objects.requireNonNull(format, "format");
      pinnedRoot = pinnedRoot.clone();
    }

    /** TUF's canonical JSON, the standard key types and the default limits. */
    public static Settings of(
        TufRemote remote, TufMetadataStore store, byte[] pinnedRoot, Clock clock) {
      return new Settings(remote, store, pinnedRoot, clock, TufLimits.DEFAULT, TufFormat.TUF);
    }
  }

  private final Settings settings;
  private final TufMetadataStore store;
  private RootMetadata root;
  private TimestampMetadata timestamp;
  private SnapshotMetadata snapshot;
  private TargetsMetadata targets;
  private final Map<String, TargetsMetadata> delegated = new HashMap<>();
  private Instant now;

  private TufClient(Settings settings, RootMetadata root) {
    this.settings = settings;
    this.store = settings.store();
    this.root = root;
    this.now = settings.clock().instant();
  }

  /**
   * Loads the trusted root (spec 5.2): the stored one when it is at least as new as the pinned one
   * and signs itself, else the pinned one, which must sign itself too.
   */
  public static TufClient open(Settings settings) throws TufException, IOException {
    RootMetadata pinned = selfSigned("pinned root.json", settings.pinnedRoot(), settings);
    RootMetadata trusted = pinned;
    Optional<byte[]> stored = settings.store().read(ROOT);
    if (stored.isPresent()) {
      try {
        RootMetadata local = selfSigned(ROOT, stored.get(), settings);
        if (local.version() >= pinned.version()) {
          trusted = local;
        }
      } catch (TufException e) {
        // a damaged store is no reason to stop: the pinned root is still trusted
      }
    }
    return new TufClient(settings, trusted);
  }

  private static RootMetadata selfSigned(String file, byte[] raw, Settings settings)
      throws TufException {
    RootMetadata root = RootMetadata.parse(file, raw, settings.format());
    root.verify("root", root.metadata());
    return root;
  }

  /** Runs the whole update (spec 5.3 to 5.6) and returns the verified targets metadata. */
  public TargetsMetadata refresh() throws TufException, IOException {
    updateRoot();
    updateTimestamp();
    updateSnapshot();
    return updateTargets();
  }

  public RootMetadata trustedRoot() {
    return root;
  }

  /**
   * The earliest expiry of the metadata verified so far (root, timestamp, snapshot, targets and the
   * delegated roles loaded): until then what this client resolved may be reused, after it the
   * update must run again.
   */
  public Instant earliestExpiry() {
    List<SignedMetadata> verified = new ArrayList<>();
    verified.add(root.metadata());
    if (timestamp != null) {
      verified.add(timestamp.metadata());
    }
    if (snapshot != null) {
      verified.add(snapshot.metadata());
    }
    if (targets != null) {
      verified.add(targets.metadata());
    }
    delegated.values().forEach(d -> verified.add(d.metadata()));
    return verified.stream()
        .map(SignedMetadata::expires)
        .min(Comparator.naturalOrder())
        .orElseThrow();
  }

  /**
   * Spec 5.3: walks {@code N+1.root.json} while the repository has one, each signed by a threshold
   * of the trusted root's root keys and of its own, with exactly the next version. Only then is
   * expiry checked, on the newest root. When the timestamp or snapshot keys changed, the stored
   * timestamp and snapshot are dropped (fast-forward attack recovery, 5.3.11).
   */
  public RootMetadata updateRoot() throws TufException, IOException {
    now = settings.clock().instant();
    RootMetadata start = root;
    for (int i = 0; i < settings.limits().maxRootRotations(); i++) {
      long next = root.version() + 1;
      String file = next + "." + ROOT;
      Optional<byte[]> raw = settings.remote().fetch(file, settings.limits().rootBytes());
      if (raw.isEmpty()) {
        break;
      }
      RootMetadata candidate = RootMetadata.parse(file, raw.get(), settings.format());
      root.verify("root", candidate.metadata());
      candidate.verify("root", candidate.metadata());
      if (candidate.version() != next) {
        throw new TufException.Rollback(
            file + " has version " + candidate.version() + ", expected " + next);
      }
      root = candidate;
      store.write(ROOT, raw.get());
    }
    // dropped before the expiry check, so an expired new root cannot leave them behind
    if (rotated(start, root, "timestamp") || rotated(start, root, "snapshot")) {
      store.delete(TIMESTAMP);
      store.delete(SNAPSHOT);
    }
    checkExpiry(root.metadata());
    return root;
  }

  private static boolean rotated(RootMetadata before, RootMetadata after, String role) {
    return !before.roles().get(role).keyIds().equals(after.roles().get(role).keyIds());
  }

  /**
   * Spec 5.4: {@code timestamp.json} signed by the timestamp role, not older than the trusted one
   * (an equal version keeps the trusted file), not naming an older snapshot, and not expired.
   */
  public TimestampMetadata updateTimestamp() throws TufException, IOException {
    TimestampMetadata trusted = loadTrustedTimestamp();
    byte[] raw =
        settings
            .remote()
            .fetch(TIMESTAMP, settings.limits().timestampBytes())
            .orElseThrow(() -> new TufException.NotFound("the repository has no " + TIMESTAMP));
    TimestampMetadata fresh = TimestampMetadata.parse(TIMESTAMP, raw, settings.format());
    root.verify("timestamp", fresh.metadata());
    if (trusted != null) {
      if (fresh.version() < trusted.version()) {
        throw new TufException.Rollback(
            "timestamp version " + fresh.version() + " < trusted " + trusted.version());
      }
      if (fresh.snapshot().version() < trusted.snapshot().version()) {
        throw new TufException.Rollback(
            "timestamp names snapshot version "
                + fresh.snapshot().version()
                + " < trusted "
                + trusted.snapshot().version());
      }
      if (fresh.version() == trusted.version()) {
        fresh = trusted;
      }
    }
    checkExpiry(fresh.metadata());
    timestamp = fresh;
    store.write(TIMESTAMP, fresh.metadata().raw());
    return fresh;
  }

  /**
   * Spec 5.5: the snapshot the timestamp names, with its hashes and length when given, signed by
   * the snapshot role, of exactly that version, still listing every targets file the trusted
   * snapshot listed at no older version, and not expired.
   */
  public SnapshotMetadata updateSnapshot() throws TufException, IOException {
    requireStep(timestamp, "updateTimestamp");
    SnapshotMetadata trusted = loadTrustedSnapshot();
    MetaFile meta = timestamp.snapshot();
    String file = root.consistentSnapshot() ? meta.version() + "." + SNAPSHOT : SNAPSHOT;
    byte[] raw = fetchMeta(file, meta, settings.limits().snapshotBytes());
    SnapshotMetadata fresh = SnapshotMetadata.parse(file, raw, settings.format());
    root.verify("snapshot", fresh.metadata());
    if (meta.version() != 0 && fresh.version() != meta.version()) {
      throw new TufException.VersionMismatch(file, meta.version(), fresh.version());
    }
    if (trusted != null) {
      // 5.5.5; implied by the timestamp's version where it names one, Notary's does not
      if (fresh.version() < trusted.version()) {
        throw new TufException.Rollback(
            file + " has version " + fresh.version() + " < trusted " + trusted.version());
      }
      for (Map.Entry<String, MetaFile> old : trusted.meta().entrySet()) {
        MetaFile listed = fresh.meta().get(old.getKey());
        if (listed == null) {
          throw new TufException.Rollback(
              file + " no longer lists " + old.getKey() + ", which the trusted snapshot lists");
        }
        if (listed.version() < old.getValue().version()) {
          throw new TufException.Rollback(
              file
                  + " names "
                  + old.getKey()
                  + " version "
                  + listed.version()
                  + " < trusted "
                  + old.getValue().version());
        }
      }
    }
    checkExpiry(fresh.metadata());
    snapshot = fresh;
    store.write(SNAPSHOT, raw);
    return fresh;
  }

  /**
   * Spec 5.6: the top-level targets metadata the snapshot names, with its hashes and length when
   * given, signed by the targets role, of exactly that version, and not expired.
   */
  public TargetsMetadata updateTargets() throws TufException, IOException {
    requireStep(snapshot, "updateSnapshot");
    TargetsMetadata fresh = fetchTargets("targets", m -> root.verify("targets", m));
    targets = fresh;
    delegated.clear();
    return fresh;
  }

  /** A check of a metadata file's signatures by whoever delegates to it. */
  @FunctionalInterface
  private interface SignatureCheck {
    void verify(SignedMetadata metadata) throws TufException;
  }

  /** A targets metadata file of {@code role}, as the snapshot lists it (5.6.1 to 5.6.6). */
  private TargetsMetadata fetchTargets(String role, SignatureCheck check)
      throws TufException, IOException {
    String name = role + ".json";
    MetaFile meta = snapshot.meta().get(settings.format().metaName(role));
    if (meta == null) {
      throw new TufException.Malformed(
          snapshot.metadata().file() + " does not list " + settings.format().metaName(role));
    }
    String file = root.consistentSnapshot() ? meta.version() + "." + name : name;
    byte[] raw = fetchMeta(file, meta, settings.limits().targetsBytes());
    TargetsMetadata fresh = TargetsMetadata.parse(file, raw, role, settings.format());
    check.verify(fresh.metadata());
    if (meta.version() != 0 && fresh.version() != meta.version()) {
      throw new TufException.VersionMismatch(file, meta.version(), fresh.version());
    }
    if (meta.version() == 0) {
      checkNotOlderThanStored(name, fresh);
    }
    checkExpiry(fresh.metadata());
    store.write(name, raw);
    return fresh;
  }

  /** A delegated role still to visit, with the metadata that delegates to it. */
  private record Pending(DelegatedRole role, Delegations delegator) {}

  /**
   * Spec 5.6.7: the target's entry, searched pre-order depth-first from the top-level targets
   * through the roles whose paths cover it; a terminating role ends the search of the others. At
   * most {@link TufLimits#maxDelegations()} delegated roles are visited.
   */
  private Optional<TargetFile> lookup(String name) throws TufException, IOException {
    Deque<Pending> stack = new ArrayDeque<>();
    Set<String> visited = new HashSet<>();
    TargetsMetadata metadata = targets;
    while (true) {
      TargetFile found = metadata.targets().get(name);
      if (found != null) {
        return Optional.of(found);
      }
      List<Pending> children = new ArrayList<>();
      for (DelegatedRole child : metadata.delegations().roles()) {
        if (child.delegates(name)) {
          children.add(new Pending(child, metadata.delegations()));
          if (child.terminating()) {
            stack.clear();
            break;
          }
        }
      }
      for (int i = children.size() - 1; i >= 0; i--) {
        stack.push(children.get(i));
      }
      Pending next = stack.poll();
      while (next != null && visited.contains(next.role().name())) {
        next = stack.poll();
      }
      if (next == null || visited.size() >= settings.limits().maxDelegations()) {
        return Optional.empty();
      }
      visited.add(next.role().name());
      metadata = delegatedTargets(next);
    }
  }

  private TargetsMetadata delegatedTargets(Pending pending) throws TufException, IOException {
    TargetsMetadata loaded = delegated.get(pending.role().name());
    if (loaded == null) {
      loaded =
          fetchTargets(pending.role().name(), m -> pending.delegator().verify(pending.role(), m));
      delegated.put(pending.role().name(), loaded);
    }
    return loaded;
  }

  /**
   * The targets one role signed, with the ids of the keys whose signatures over its metadata
   * verified.
   *
   * @param targets only those every delegation on the way to the role covers
   */
  public record RoleTargets(
      String role, Map<String, TargetFile> targets, Set<String> signerKeyIds, long version) {
    public RoleTargets {
      targets = Map.copyOf(targets);
      signerKeyIds = Set.copyOf(signerKeyIds);
    }
  }

  /** A delegated role to visit, with the delegations that lead to it. */
  private record Step(Pending pending, List<DelegatedRole> chain) {}

  /**
   * The verified targets of {@code role} alone: the top-level {@code targets}, or a delegated role
   * reached from it (pre-order, depth first, at most {@link TufLimits#maxDelegations()} roles),
   * each role's metadata verified by its delegator's keys for it. A target is kept only when every
   * delegation on the way covers its name. Empty when no delegation leads to the role. Docker
   * Content Trust reads {@code targets/releases}, then {@code targets}, this way. Refused with
   * {@link TufException.Expired} once any metadata verified so far has expired.
   */
  public Optional<RoleTargets> roleTargets(String role) throws TufException, IOException {
    requireStep(targets, "updateTargets");
    // asked later than the update ran (a cached client): nothing expired may answer, and a
    // delegated role read now is held to the time now
    now = settings.clock().instant();
    Instant expiry = earliestExpiry();
    if (!expiry.isAfter(now)) {
      throw new TufException.Expired("the metadata verified earlier", expiry, now);
    }
    if (role.equals("targets")) {
      return Optional.of(
          new RoleTargets(
              role,
              targets.targets(),
              root.verify("targets", targets.metadata()),
              targets.version()));
    }
    Deque<Step> stack = new ArrayDeque<>();
    Set<String> visited = new HashSet<>();
    pushChildren(stack, targets, List.of(), role);
    while (!stack.isEmpty() && visited.size() < settings.limits().maxDelegations()) {
      Step next = stack.pop();
      Pending pending = next.pending();
      if (!visited.add(pending.role().name())) {
        continue;
      }
      TargetsMetadata metadata = delegatedTargets(pending);
      if (pending.role().name().equals(role)) {
        Map<String, TargetFile> covered = new HashMap<>();
        metadata
            .targets()
            .forEach(
                (name, target) -> {
                  if (next.chain().stream().allMatch(d -> d.delegates(name))) {
                    covered.put(name, target);
                  }
                });
        Set<String> signers = pending.delegator().verify(pending.role(), metadata.metadata());
        return Optional.of(new RoleTargets(role, covered, signers, metadata.version()));
      }
      pushChildren(stack, metadata, next.chain(), role);
    }
    return Optional.empty();
  }

  private void pushChildren(
      Deque<Step> stack, TargetsMetadata metadata, List<DelegatedRole> chain, String wanted) {
    List<DelegatedRole> roles = metadata.delegations().roles();
    for (int i = roles.size() - 1; i >= 0; i--) {
      DelegatedRole child = roles.get(i);
      if (settings.format().mayLeadTo(child.name(), wanted)) {
        List<DelegatedRole> longer = new ArrayList<>(chain);
        longer.add(child);
        stack.push(new Step(new Pending(child, metadata.delegations()), longer));
      }
    }
  }

  /** {@link #download(String, long)} with the limit's cap. */
  public byte[] download(String name) throws TufException, IOException {
    return download(name, settings.limits().targetBytes());
  }

  /**
   * Spec 5.7: the target {@code name} from the verified targets metadata, with exactly its length
   * and every hash it lists. A stored copy that still matches is returned without fetching.
   *
   * @param maxBytes the caller's own cap; a target listed as longer is refused before fetching
   */
  public byte[] download(String name, long maxBytes) throws TufException, IOException {
    requireStep(targets, "updateTargets");
    TargetFile target =
        lookup(name)
            .orElseThrow(
                () ->
                    new TufException.NotFound(
                        "target "
                            + name
                            + " is not listed by "
                            + targets.metadata().file()
                            + " or a role it delegates to"));
    String path = targetPath(name, target);
    long cap = Math.min(maxBytes, settings.limits().targetBytes());
    if (target.length() > cap) {
      throw new TufException.TooLarge(
          "target " + name + " is listed at " + target.length() + " bytes, more than " + cap);
    }
    Optional<byte[]> cached = store.readTarget(name);
    if (cached.isPresent() && matches(name, cached.get(), target)) {
      return cached.get();
    }
    byte[] bytes =
        settings
            .remote()
            .fetch(path, target.length())
            .orElseThrow(() -> new TufException.NotFound("the repository has no " + path));
    if (bytes.length != target.length()) {
      throw new TufException.HashMismatch(
          path + " is " + bytes.length + " bytes, expected " + target.length());
    }
    Hashes.verify(path, bytes, target.hashes());
    store.writeTarget(name, bytes);
    return bytes;
  }

  private static boolean matches(String name, byte[] bytes, TargetFile target) {
    if (bytes.length != target.length()) {
      return false;
    }
    try {
      Hashes.verify(name, bytes, target.hashes());
      return true;
    } catch (TufException.HashMismatch e) {
      return false;
    }
  }

  /** The remote path of a target: {@code <dir>/<hash>.<basename>} under consistent snapshots. */
  private String targetPath(String name, TargetFile target) throws TufException.Malformed {
    for (String segment : name.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new TufException.Malformed("target name '" + name + "' is not a relative path");
      }
    }
    if (name.contains("\\") || name.contains("?") || name.contains("#") || name.contains("%")) {
      throw new TufException.Malformed("target name '" + name + "' has a reserved character");
    }
    if (!root.consistentSnapshot()) {
      return "targets/" + name;
    }
    int slash = name.lastIndexOf('/');
    String hash = target.hashes().values().iterator().next();
    return "targets/" + name.substring(0, slash + 1) + hash + "." + name.substring(slash + 1);
  }

  /**
   * A metadata file capped at the length its lister gives (spec 5.5.1 and 5.6.1: "up to" that many
   * bytes; sigstore-java's vectors hold it to no more than that) and with the hashes it lists.
   */
  private byte[] fetchMeta(String file, MetaFile meta, long limit) throws TufException {
    long cap = Math.min(limit, meta.length().orElse(limit));
    byte[] raw =
        settings
            .remote()
            .fetch(file, cap)
            .orElseThrow(() -> new TufException.NotFound("the repository has no " + file));
    if (!meta.hashes().isEmpty()) {
      Hashes.verify(file, raw, meta.hashes());
    }
    return raw;
  }

  /** The stored timestamp when the current root's timestamp keys still sign it, else none. */
  private TimestampMetadata loadTrustedTimestamp() throws IOException {
    Optional<byte[]> raw = store.read(TIMESTAMP);
    if (raw.isEmpty()) {
      return null;
    }
    try {
      TimestampMetadata local =
          TimestampMetadata.parse("stored " + TIMESTAMP, raw.get(), settings.format());
      root.verify("timestamp", local.metadata());
      return local;
    } catch (TufException e) {
      return null;
    }
  }

  private SnapshotMetadata loadTrustedSnapshot() throws IOException {
    Optional<byte[]> raw = store.read(SNAPSHOT);
    if (raw.isEmpty()) {
      return null;
    }
    try {
      SnapshotMetadata local =
          SnapshotMetadata.parse("stored " + SNAPSHOT, raw.get(), settings.format());
      root.verify("snapshot", local.metadata());
      return local;
    } catch (TufException e) {
      return null;
    }
  }

  /**
   * Where the snapshot names no version (Notary), a targets file must not be older than the one
   * stored from the last update: the snapshot's hashes pin the bytes, this pins the direction.
   */
  private void checkNotOlderThanStored(String name, TargetsMetadata fresh)
      throws TufException.Rollback, IOException {
    Optional<byte[]> stored = store.read(name);
    if (stored.isEmpty()) {
      return;
    }
    long trusted;
    try {
      trusted =
          SignedMetadata.parse("stored " + name, stored.get(), "targets", settings.format())
              .version();
    } catch (TufException.Malformed e) {
      return;
    }
    if (fresh.version() < trusted) {
      throw new TufException.Rollback(
          name + " has version " + fresh.version() + " < trusted " + trusted);
    }
  }

  private void checkExpiry(SignedMetadata metadata) throws TufException.Expired {
    if (!metadata.expires().isAfter(now)) {
      throw new TufException.Expired(metadata.file(), metadata.expires(), now);
    }
  }

  private static void requireStep(Object done, String step) {
    if (done == null) {
      throw new IllegalStateException(step + " must succeed first");
    }
  }
}
