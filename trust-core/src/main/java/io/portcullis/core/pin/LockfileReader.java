package io.portcullis.core.pin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.portcullis.core.oci.Digest;
import io.portcullis.core.oci.RepositoryName;
import io.portcullis.core.oci.Tag;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads and validates a lockfile with Jackson YAML. Every message is one line that names the file
 * and the key, so a person can find the mistake without reading code.
 */
final class LockfileReader {

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());
  private static final Set<String> TOP_KEYS = Set.of("version", "pins");
  private static final Set<String> PIN_KEYS = Set.of("digest", "pinnedAt", "pinnedBy", "comment");

  private final String source;

  private LockfileReader(String source) {
    this.source = source;
  }

  static SortedMap<String, SortedMap<String, Pin>> read(String yaml, String source) {
    return new LockfileReader(source).read(yaml);
  }

  private SortedMap<String, SortedMap<String, Pin>> read(String yaml) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new LockfileException(
          source + ": not valid YAML" + where + ": " + oneLine(e.getOriginalMessage()));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      throw fail("", "the lockfile is empty; expected 'version: " + Lockfile.VERSION + "'");
    }
    if (!root.isObject()) {
      throw fail("", "expected a mapping with 'version' and 'pins'");
    }
    checkKeys(root, TOP_KEYS, "");
    JsonNode version = root.get("version");
    if (version == null) {
      throw fail("version", "missing; expected " + Lockfile.VERSION);
    }
    if (!version.isInt() || version.intValue() != Lockfile.VERSION) {
      throw fail(
          "version",
          "unsupported version " + version + "; this tool reads version " + Lockfile.VERSION);
    }
    SortedMap<String, SortedMap<String, Pin>> pins = new TreeMap<>();
    JsonNode repos = root.get("pins");
    // "pins:" with nothing after it reads as an empty string
    if (repos == null || repos.isNull() || repos.isTextual() && repos.textValue().isEmpty()) {
      return pins;
    }
    if (!repos.isObject()) {
      throw fail("pins", "expected a mapping of repository paths");
    }
    for (Map.Entry<String, JsonNode> repo : repos.properties()) {
      String repoPath = child("pins", repo.getKey());
      if (!RepositoryName.isValid(repo.getKey())) {
        throw fail(
            repoPath,
            "invalid repository path '"
                + repo.getKey()
                + "': lowercase /-separated parts without a registry host or tag");
      }
      if (!repo.getValue().isObject()) {
        throw fail(repoPath, "expected a mapping of tags to pins");
      }
      SortedMap<String, Pin> tags = new TreeMap<>();
      for (Map.Entry<String, JsonNode> tag : repo.getValue().properties()) {
        String tagPath = child(repoPath, tag.getKey());
        if (!Tag.isValid(tag.getKey())) {
          throw fail(
              tagPath,
              "invalid tag '"
                  + tag.getKey()
                  + "': up to 128 of [a-zA-Z0-9_.-], not starting with . or -");
        }
        tags.put(tag.getKey(), pin(tag.getValue(), tagPath));
      }
      pins.put(repo.getKey(), tags);
    }
    return pins;
  }

  private Pin pin(JsonNode node, String path) {
    if (!node.isObject()) {
      throw fail(path, "expected {digest: \"sha256:...\"}");
    }
    checkKeys(node, PIN_KEYS, path);
    String digestText =
        text(node, "digest", path).orElseThrow(() -> fail(child(path, "digest"), "missing"));
    if (!Digest.isDigest(digestText)) {
      throw fail(
          child(path, "digest"),
          "invalid digest '"
              + abbreviate(digestText)
              + "': expected sha256:<64 lowercase hex> or sha512:<128 lowercase hex>");
    }
    Optional<Instant> pinnedAt =
        text(node, "pinnedAt", path).map(value -> instant(value, child(path, "pinnedAt")));
    Optional<String> pinnedBy = text(node, "pinnedBy", path);
    Optional<String> comment = text(node, "comment", path);
    try {
      return new Pin(Digest.parse(digestText), pinnedAt, pinnedBy, comment);
    } catch (IllegalArgumentException e) {
      throw fail(path, e.getMessage());
    }
  }

  private Instant instant(String value, String path) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      throw fail(
          path, "invalid time '" + abbreviate(value) + "': expected UTC like 2026-11-23T10:00:00Z");
    }
  }

  private Optional<String> text(JsonNode node, String field, String path) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw fail(child(path, field), "expected a string");
    }
    return Optional.of(value.textValue());
  }

  private void checkKeys(JsonNode node, Set<String> allowed, String path) {
    for (String name : (Iterable<String>) () -> node.fieldNames()) {
      if (!allowed.contains(name)) {
        throw fail(
            child(path, name),
            "unknown key '"
                + abbreviate(name)
                + "'; expected one of "
                + String.join(", ", new TreeSet<>(allowed)));
      }
    }
  }

  private LockfileException fail(String path, String message) {
    return new LockfileException(
        source + ": " + (path.isEmpty() ? "" : path + ": ") + oneLine(message));
  }

  /** A key path as messages show it: {@code pins["team/app"]["1.4"].digest}. */
  private static String child(String path, String name) {
    if (name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
      return path.isEmpty() ? name : path + "." + name;
    }
    return path + "[\"" + abbreviate(name) + "\"]";
  }

  private static String abbreviate(String value) {
    String single = oneLine(value);
    return single.length() > 80 ? single.substring(0, 80) + "..." : single;
  }

  private static String oneLine(String message) {
    return message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}
