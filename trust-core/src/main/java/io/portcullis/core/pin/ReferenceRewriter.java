package io.portcullis.core.pin;

import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.InvalidReferenceException;
import io.portcullis.core.registry.ImageReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Pins the image references of a Dockerfile, Compose file or Kubernetes manifest: {@code repo:tag}
 * becomes {@code repo:tag@sha256:...}, the digest the tag names now. A reference without a tag gets
 * {@code :latest@sha256:...}, so the file says which tag the digest came from.
 *
 * <p>Only the characters of each reference change; comments, quoting, indentation and line endings
 * stay as they were. References that already carry a digest are left alone unless {@code update} is
 * set, in which case their tag is resolved again and the digest replaced if it moved. References
 * built from variables ({@code ${BASE}}, {@code {{ .Values.image }}}) are noted and left alone.
 *
 * <pre>{@code
 * ReferenceRewriter rewriter = new ReferenceRewriter(image -> registry.lookup(image), false);
 * RewriteResult result = rewriter.rewrite(FileKind.DOCKERFILE, Files.readString(dockerfile));
 * }</pre>
 */
public final class ReferenceRewriter {

  private final TagResolver resolver;
  private final boolean update;

  /**
   * @param resolver looks up the digest of a tag
   * @param update also re-resolve references that already carry a digest, and replace the digest
   *     when the tag has moved
   */
  public ReferenceRewriter(TagResolver resolver, boolean update) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.update = update;
  }

  /**
   * Pins the references in {@code content}, a file of {@code kind}. Nothing is written: the result
   * carries the new content, the changes, and what was left alone or could not be pinned.
   * Exceptions from the resolver (a registry that cannot be reached) pass through.
   */
  public RewriteResult rewrite(FileKind kind, String content) {
    Scan scan =
        switch (kind) {
          case DOCKERFILE -> DockerfileScanner.scan(content);
          case COMPOSE -> YamlImageScanner.scan(content, YamlImageScanner.COMPOSE);
          case KUBERNETES -> YamlImageScanner.scan(content, YamlImageScanner.KUBERNETES);
        };
    LineIndex lines =
        kind == FileKind.DOCKERFILE ? LineIndex.ofDockerfile(content) : LineIndex.ofYaml(content);
    List<Change> changes = new ArrayList<>();
    List<Note> notes = new ArrayList<>(scan.notes());
    List<Note> failures = new ArrayList<>(scan.failures());
    StringBuilder out = new StringBuilder(content.length() + 80 * scan.images().size());
    int copied = 0;
    for (ImageOccurrence image : scan.images()) {
      int line = lines.lineOf(image.start());
      Optional<String> pinned = pin(image.text(), line, notes, failures);
      if (pinned.isPresent()) {
        out.append(content, copied, image.start()).append(pinned.get());
        copied = image.end();
        changes.add(new Change(line, image.text(), pinned.get()));
      }
    }
    out.append(content, copied, content.length());
    return new RewriteResult(
        content, out.toString(), changes, sortByLine(notes), sortByLine(failures));
  }

  /** The new text for {@code text}, or empty when it stays as it is (with a note saying why). */
  private Optional<String> pin(String text, int line, List<Note> notes, List<Note> failures) {
    if (text.contains("$") || text.contains("{{")) {
      notes.add(new Note(line, text, "uses a variable; not pinned (pin the value it is set to)"));
      return Optional.empty();
    }
    ImageReference ref;
    try {
      ref = ImageReference.parse(text);
    } catch (InvalidReferenceException e) {
      failures.add(new Note(line, text, "not a valid image reference: " + e.getMessage()));
      return Optional.empty();
    }
    int at = text.indexOf('@');
    String name = at < 0 ? text : text.substring(0, at);
    boolean explicitTag = name.lastIndexOf(':') > name.lastIndexOf('/');
    if (ref.digest().isPresent()) {
      if (!update) {
        notes.add(new Note(line, text, "already pinned (--update checks it against its tag)"));
        return Optional.empty();
      }
      if (!explicitTag) {
        notes.add(new Note(line, text, "pinned by digest alone; no tag to check"));
        return Optional.empty();
      }
    }
    ImageReference tagged = new ImageReference(ref.repository(), ref.tag(), Optional.empty());
    Optional<Digest> digest = resolver.resolve(tagged);
    if (digest.isEmpty()) {
      failures.add(new Note(line, text, "tag not found: " + tagged));
      return Optional.empty();
    }
    if (ref.digest().equals(digest)) {
      notes.add(new Note(line, text, "pin is current"));
      return Optional.empty();
    }
    return Optional.of(name + (explicitTag ? "" : ":latest") + "@" + digest.get());
  }

  private static List<Note> sortByLine(List<Note> notes) {
    List<Note> sorted = new ArrayList<>(notes);
    sorted.sort(java.util.Comparator.comparingInt(Note::line));
    return sorted;
  }
}
