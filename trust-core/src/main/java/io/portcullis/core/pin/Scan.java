package io.portcullis.core.pin;

import java.util.ArrayList;
import java.util.List;

/** What a scanner found in one file: references to pin, and ones it could not read. */
record Scan(List<ImageOccurrence> images, List<Note> notes, List<Note> failures) {

  static Scan empty() {
    return new Scan(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
  }
}
