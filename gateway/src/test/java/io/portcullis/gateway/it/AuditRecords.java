package io.portcullis.gateway.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The records of an access audit log ({@code audit.jsonl}), for assertions on their fields. */
final class AuditRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditRecords() {}

  /**
   * The text of the audit log {@code file} once some line of it has all of {@code parts}, or as it
   * stands after ten seconds when none has. Records are appended asynchronously, so there is
   * nothing to wait on but the file itself.
   */
  static String await(Path file, String... parts) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      String text = Files.exists(file) ? Files.readString(file) : "";
      if (hasLine(text, parts) || System.nanoTime() > deadline) {
        return text;
      }
      Thread.sleep(20);
    }
  }

  /** Like {@link #await}, but fails when no line has all of {@code parts} by then. */
  static String awaitRecord(Path file, String... parts) throws IOException, InterruptedException {
    String text = await(file, parts);
    if (!hasLine(text, parts)) {
      throw new AssertionError("no audit record with " + List.of(parts) + ": " + text);
    }
    return text;
  }

  private static boolean hasLine(String text, String... parts) {
    return text.lines().anyMatch(l -> Arrays.stream(parts).allMatch(l::contains));
  }

  /** One record per line of {@code text}. */
  static List<JsonNode> parse(String text) throws JsonProcessingException {
    List<JsonNode> records = new ArrayList<>();
    for (String line : text.lines().toList()) {
      records.add(JSON.readTree(line));
    }
    return records;
  }

  /**
   * True when some record has every field of {@code fieldsAndValues} (name, value, name, value...)
   * with exactly that text.
   */
  static boolean any(List<JsonNode> records, String... fieldsAndValues) {
    return records.stream()
        .anyMatch(
            r -> {
              for (int i = 0; i < fieldsAndValues.length; i += 2) {
                if (!r.path(fieldsAndValues[i]).asText().equals(fieldsAndValues[i + 1])) {
                  return false;
                }
              }
              return true;
            });
  }
}
