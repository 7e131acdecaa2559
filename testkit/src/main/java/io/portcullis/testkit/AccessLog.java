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

  /** The quoted referer and user agent that end a combined-format line. */
  private static final Pattern USER_AGENT = Pattern.compile("\"[^\"]*\" \"([^\"]*)\"$");

  private final Path file;

  AccessLog(Path file) {
    this.file = file;
  }

  /** Every request in the log, the harness's own excluded, in the order they finished. */
  List<RegistryRequest> requests() {
    return requests("");
  }

  /** The requests whose {@code User-Agent} starts with {@code userAgentPrefix}. */
  List<RegistryRequest> requests(String userAgentPrefix) {
    List<RegistryRequest> requests = new ArrayList<>();
    for (String line : lines()) {
      Matcher m = LINE.matcher(line);
      if (m.find() && !m.group(2).contains(INTERNAL_QUERY) && sentBy(line, userAgentPrefix)) {
        requests.add(new RegistryRequest(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
      }
    }
    return requests;
  }

  private static boolean sentBy(String line, String userAgentPrefix) {
    if (userAgentPrefix.isEmpty()) {
      return true;
    }
    Matcher m = USER_AGENT.matcher(line);
    return m.find() && m.group(1).startsWith(userAgentPrefix);
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
