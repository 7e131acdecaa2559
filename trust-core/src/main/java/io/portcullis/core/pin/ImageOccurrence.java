package io.portcullis.core.pin;

/**
 * An image reference found in a file: its exact text and where it starts, so it can be replaced
 * without touching a character around it.
 */
record ImageOccurrence(int start, String text) {

  int end() {
    return start + text.length();
  }
}
