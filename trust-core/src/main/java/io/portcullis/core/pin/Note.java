package io.portcullis.core.pin;

/**
 * A reference the rewriter left as it was, and why: it uses a variable, is already pinned, or (as a
 * failure) names a tag that does not exist.
 *
 * @param line 1-based line of the reference
 * @param reference the reference as it is written
 * @param message why it was not changed
 */
public record Note(int line, String reference, String message) {}
