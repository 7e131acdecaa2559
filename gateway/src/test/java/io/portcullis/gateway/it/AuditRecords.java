package io.portcullis.gateway.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/** The records of an access audit log ({@code audit.jsonl}), for assertions on their fields. */
final class AuditRecords {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditRecords() {}

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
