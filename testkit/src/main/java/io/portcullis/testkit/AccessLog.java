package io.portcullis.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the access log that distribution 2.8 writes to stdout, one Apache combined-format line per
 * request once the response is done, e.g. {@code 127.0.0.1 - - [23/Nov/2026:12:03:13 +0000] "GET
 * /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"}.
 */
final class AccessLog {
  /** Marks requests the harness itself makes, so they never show up in a test's counts. */
  static final String INTERNAL_QUERY = "portcullis-internal=";

  private static final Pattern LINE =
      Pattern.compile("^\\S+ \\S+ \\S+ \\[[^\\]]+\\] \"(\\S+) (\\S+) HTTP/[0-9.]+\" (\\d{3}) ");

  private final Path file;

  AccessLog(Path file) {
    this.file = file;
  }

  /** Every request in the log, the harness's own excluded, in the order they finished. */
  List<RegistryRequest> requests() {
    List<RegistryRequest> requests = new ArrayList<>();
    for (String line : lines()) {
      Matcher m = LINE.matcher(line);
      if (m.find() && !m.group(2).contains(INTERNAL_QUERY)) {
        requests.add(new RegistryRequest(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
      }
    }
    return requests;
  }

  boolean mentions(String token) {
    return lines().stream().anyMatch(line -> line.contains(token));
  }

  private List<String> lines() {
    try {
      return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the access log " + file, e);
    }
  }
}
