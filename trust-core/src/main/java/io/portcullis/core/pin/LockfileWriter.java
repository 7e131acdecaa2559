package io.portcullis.core.pin;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;

/**
 * Writes the lockfile layout by hand rather than through a YAML serialiser, because the layout is
 * the point: repositories and tags sorted, one tag per line as a flow mapping, every tag and text
 * value double-quoted (so {@code 1.10} stays a string in every YAML reader). The values are already
 * validated (names and digests by their grammars, free text by {@link Pin}), so quoting needs only
 * {@code \} and {@code "} escaped.
 */
final class LockfileWriter {

  static final String HEADER =
      "# Tag pins: which digest each tag may be served at. Written by portcullis-signer pin;\n"
          + "# see docs/pinning.md. Comments here are not kept; use a pin's comment field.\n";

  private LockfileWriter() {}

  static String format(SortedMap<String, SortedMap<String, Pin>> pins) {
    StringBuilder out = new StringBuilder(HEADER);
    out.append("version: ").append(Lockfile.VERSION).append('\n');
    if (pins.isEmpty()) {
      return out.append("pins: {}\n").toString();
    }
    out.append("pins:\n");
    pins.forEach(
        (repo, tags) -> {
          // a name with a slash can never read as a number, boolean or null; bare ones might
          out.append("  ").append(repo.indexOf('/') >= 0 ? repo : quote(repo)).append(":\n");
          tags.forEach(
              (tag, pin) ->
                  out.append("    ")
                      .append(quote(tag))
                      .append(": {")
                      .append(String.join(", ", fields(pin)))
                      .append("}\n"));
        });
    return out.toString();
  }

  private static List<String> fields(Pin pin) {
    List<String> fields = new ArrayList<>();
    fields.add("digest: " + quote(pin.digest().toString()));
    pin.pinnedAt().ifPresent(t -> fields.add("pinnedAt: " + quote(t.toString())));
    pin.pinnedBy().ifPresent(v -> fields.add("pinnedBy: " + quote(v)));
    pin.comment().ifPresent(v -> fields.add("comment: " + quote(v)));
    return fields;
  }

  private static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
