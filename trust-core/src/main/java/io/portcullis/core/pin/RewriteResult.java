package io.portcullis.core.pin;

import java.util.List;

/**
 * What {@link ReferenceRewriter#rewrite} did to one file. {@code rewritten} differs from {@code
 * original} only inside the references listed in {@code changes}; everything else (comments,
 * quoting, indentation, line endings) is the same, character for character.
 *
 * @param original the content as read
 * @param rewritten the content with every change applied
 * @param changes references pinned or re-pinned, in file order
 * @param notes references deliberately left alone (variables, already pinned), in file order
 * @param failures references that should have been pinned and could not be (tag not found,
 *     malformed), in file order; when there are any, the caller should not write the file
 */
public record RewriteResult(
    String original,
    String rewritten,
    List<Change> changes,
    List<Note> notes,
    List<Note> failures) {

  public RewriteResult {
    changes = List.copyOf(changes);
    notes = List.copyOf(notes);
    failures = List.copyOf(failures);
  }

  /** True when every reference that should be pinned was. */
  public boolean complete() {
    return failures.isEmpty();
  }

  /** True when the content changed. */
  public boolean changed() {
    return !changes.isEmpty();
  }
}
