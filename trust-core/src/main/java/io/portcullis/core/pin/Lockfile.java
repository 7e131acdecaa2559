package io.portcullis.core.pin;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.core.oci.Tag;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A pin lockfile: which digest each tag of each gateway repository is approved at. The gateway's
 * {@code pin: lockfile} mode serves a pinned tag only at its digest; {@code portcullis-signer pin}
 * writes it. Schema (see {@code docs/pinning.md}):
 *
 * <pre>{@code
 * version: 1
 * pins:
 *   internal/prod/app:
 *     "1.4": {digest: "sha256:...", pinnedAt: "2026-11-23T10:00:00Z", pinnedBy: "ci", comment: "..."}
 * }</pre>
 *
 * <p>Repository keys are gateway repository paths ({@link RepositoryName}s, no registry host) and
 * tags are OCI {@link Tag}s; both are validated on load, as are digests (<a
 * href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests">OCI
 * descriptor digests</a>) and times (ISO-8601 instants). Instances are immutable; {@link #withPin}
 * returns a new one. {@link #write} sorts repositories and tags and puts one tag per line, so
 * adding or moving a pin changes one line of a diff.
 */
public final class Lockfile {

  /** The schema version this class reads and writes. */
  public static final int VERSION = 1;

  /** One pin with its place in the lockfile. */
  public record Entry(RepositoryName repository, Tag tag, Pin pin) {}

  private final SortedMap<String, SortedMap<String, Pin>> pins;

  Lockfile(SortedMap<String, SortedMap<String, Pin>> pins) {
    SortedMap<String, SortedMap<String, Pin>> copy = new TreeMap<>();
    pins.forEach(
        (repo, tags) -> {
          if (!tags.isEmpty()) {
            copy.put(repo, Collections.unmodifiableSortedMap(new TreeMap<>(tags)));
          }
        });
    this.pins = Collections.unmodifiableSortedMap(copy);
  }

  /** A lockfile without pins. */
  public static Lockfile empty() {
    return new Lockfile(new TreeMap<>());
  }

  /**
   * Reads and validates {@code file}.
   *
   * @throws LockfileException when the content is invalid (one line naming the file and the key)
   * @throws UncheckedIOException when the file cannot be read
   */
  public static Lockfile load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read lockfile " + file, e);
    }
    return parse(text, file.toString());
  }

  /** Validates lockfile {@code yaml}; {@code source} names it in error messages. */
  public static Lockfile parse(String yaml, String source) {
    return new Lockfile(LockfileReader.read(yaml, source));
  }

  /**
   * The digest {@code tag} of {@code repository} is pinned to, if it is pinned. Names that are not
   * valid repository names or tags are simply not pinned.
   */
  public Optional<Digest> lookup(String repository, String tag) {
    return pin(repository, tag).map(Pin::digest);
  }

  /** The digest {@code tag} of {@code repository} is pinned to, if it is pinned. */
  public Optional<Digest> lookup(RepositoryName repository, Tag tag) {
    return lookup(repository.value(), tag.value());
  }

  /** The whole entry for {@code tag} of {@code repository}, with its metadata. */
  public Optional<Pin> pin(String repository, String tag) {
    SortedMap<String, Pin> tags = pins.get(repository);
    return tags == null ? Optional.empty() : Optional.ofNullable(tags.get(tag));
  }

  /** This lockfile with {@code tag} of {@code repository} pinned as {@code pin}, replacing any. */
  public Lockfile withPin(RepositoryName repository, Tag tag, Pin pin) {
    SortedMap<String, SortedMap<String, Pin>> next = new TreeMap<>(pins);
    SortedMap<String, Pin> tags =
        new TreeMap<>(pins.getOrDefault(repository.value(), new TreeMap<>()));
    tags.put(tag.value(), pin);
    next.put(repository.value(), tags);
    return new Lockfile(next);
  }

  /** Every pin, ordered by repository and then tag (the order they are written in). */
  public List<Entry> entries() {
    List<Entry> all = new ArrayList<>();
    pins.forEach(
        (repo, tags) ->
            tags.forEach(
                (tag, pin) -> all.add(new Entry(RepositoryName.of(repo), Tag.of(tag), pin))));
    return all;
  }

  /** The number of pinned tags. */
  public int size() {
    return pins.values().stream().mapToInt(Map::size).sum();
  }

  /** The lockfile as YAML, in the stable layout {@link #write} uses. */
  public String toYaml() {
    return LockfileWriter.format(pins);
  }

  /**
   * Writes the lockfile to {@code file} atomically: readers (a gateway reloading it) see the old or
   * the new content, never half of it.
   */
  public void write(Path file) {
    AtomicFileReplacer.replace(file, toYaml().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Lockfile l && l.pins.equals(pins);
  }

  @Override
  public int hashCode() {
    return pins.hashCode();
  }

  @Override
  public String toString() {
    return "Lockfile" + pins;
  }
}
