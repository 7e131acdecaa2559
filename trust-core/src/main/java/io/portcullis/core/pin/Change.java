package io.portcullis.core.pin;

/**
 * One reference the rewriter changed.
 *
 * @param line 1-based line of the reference
 * @param before the reference as it was written
 * @param after the reference as it is now written
 */
public record Change(int line, String before, String after) {}
