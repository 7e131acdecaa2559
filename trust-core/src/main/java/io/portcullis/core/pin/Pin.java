package io.portcullis.core.pin;

import io.portcullis.core.oci.Digest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * One lockfile entry: the approved digest of a tag, and optionally who pinned it, when, and why.
 *
 * <p>Free text ({@code pinnedBy}, {@code comment}) must be a single line of printable characters:
 * the lockfile is reviewed in diffs, where a hidden control character or a line break smuggled into
 * a comment would mislead the reviewer.
 *
 * @param digest the manifest digest the tag is pinned to
 * @param pinnedAt when the pin was made, to the second
 * @param pinnedBy who made it
 * @param comment why, e.g. a review ticket
 */
public record Pin(
    Digest digest,
    Optional<Instant> pinnedAt,
    Optional<String> pinnedBy,
    Optional<String> comment) {

  public Pin {
    Objects.requireNonNull(digest, "digest");
    pinnedAt = pinnedAt.map(t -> t.truncatedTo(ChronoUnit.SECONDS));
    pinnedBy.ifPresent(v -> checkText("pinnedBy", v));
    comment.ifPresent(v -> checkText("comment", v));
  }

  /** A pin with no metadata. */
  public static Pin of(Digest digest) {
    return new Pin(digest, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** This pin stamped with the time it was made. */
  public Pin at(Instant when) {
    return new Pin(digest, Optional.of(when), pinnedBy, comment);
  }

  /** This pin with who made it. */
  public Pin by(String who) {
    return new Pin(digest, pinnedAt, Optional.of(who), comment);
  }

  /** This pin with a comment. */
  public Pin withComment(String text) {
    return new Pin(digest, pinnedAt, pinnedBy, Optional.of(text));
  }

  private static void checkText(String field, String value) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(field + " is blank");
    }
    boolean printable =
        value
            .codePoints()
            .allMatch(
                c ->
                    !Character.isISOControl(c)
                        && c != '\u2028'
                        && c != '\u2029'
                        && Character.getType(c) != Character.SURROGATE
                        && c != '\uFFFE'
                        && c != '\uFFFF');
    if (!printable) {
      throw new IllegalArgumentException(
          field + " must be one line of printable characters, without control characters");
    }
  }
}
